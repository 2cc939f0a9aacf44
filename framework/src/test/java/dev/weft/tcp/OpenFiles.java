package dev.weft.tcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Counts this process's open file descriptors (Linux: the entries of {@code /proc/self/fd}). */
final class OpenFiles {

    private OpenFiles() {
    }

    static long count() {
        // The listing itself holds one descriptor while it runs, the same one every time.
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
