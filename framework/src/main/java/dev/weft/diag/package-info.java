/**
 * TCP diagnostics for the troubleshooting case studies: socket states like {@code ss -tan}
 * ({@link dev.weft.diag.SocketTable}), the kernel's TCP counters ({@link dev.weft.diag.TcpCounters},
 * as meters through {@link dev.weft.diag.TcpCountersBinder}), for TIME_WAIT piles, packet loss
 * (retransmissions) and resets. Linux only: they read {@code /proc/net}.
 */
package dev.weft.diag;
