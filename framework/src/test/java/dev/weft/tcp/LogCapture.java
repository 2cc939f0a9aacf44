package dev.weft.tcp;

import java.text.MessageFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What one class logged through {@link System.Logger} while open (the JDK sends it to
 * {@code java.util.logging}), every level down to DEBUG (FINE): a test can assert that something
 * was logged at DEBUG and nothing at WARNING. Closing restores the logger's level.
 */
public final class LogCapture implements AutoCloseable {

    /** One line: its level, its message with the parameters filled in, and its exception. */
    public record Line(Level level, String message, Throwable thrown) {
        public boolean atLeast(Level l) {
            return level.intValue() >= l.intValue();
        }

        @Override
        public String toString() {
            return level + " " + message + (thrown == null ? "" : " [" + thrown + "]");
        }
    }

    private final Logger logger;
    private final Level before;
    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            Object[] params = r.getParameters();
            String text = params == null || params.length == 0 ? r.getMessage() : MessageFormat.format(r.getMessage(), params);
            lines.add(new Line(r.getLevel(), text, r.getThrown()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture(String loggerName) {
        this.logger = Logger.getLogger(loggerName);
        this.before = logger.getLevel();
        handler.setLevel(Level.ALL);
        logger.setLevel(Level.FINE);
        logger.addHandler(handler);
    }

    /** Captures what {@code source}'s logger (named after the class) logs from now on. */
    public static LogCapture of(Class<?> source) {
        return new LogCapture(source.getName());
    }

    /** Captures what the logger named {@code loggerName} logs from now on. */
    public static LogCapture of(String loggerName) {
        return new LogCapture(loggerName);
    }

    public List<Line> lines() {
        return List.copyOf(lines);
    }

    /** The messages logged, in order. */
    public List<String> messages() {
        return lines.stream().map(Line::message).toList();
    }

    /** The lines at WARNING or above. */
    public List<Line> warnings() {
        return lines.stream().filter(l -> l.atLeast(Level.WARNING)).toList();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(before);
    }
}
