package dev.weft.bench.proc;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds this JVM's own launcher and the JDK tools next to it, so child processes run the same JDK. */
public final class Jdk {

    private Jdk() {
    }

    /** The {@code java} binary running this process. */
    public static Path java() {
        return ProcessHandle.current().info().command().map(Path::of)
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java"));
    }

    /** A tool such as {@code jcmd} from the same {@code bin} directory; fails if this is a JRE without it. */
    public static Path tool(String name) {
        Path tool = java().resolveSibling(name);
        if (!Files.isExecutable(tool)) {
            throw new IllegalStateException(tool + " not found: this needs a full JDK, not a JRE");
        }
        return tool;
    }
}
