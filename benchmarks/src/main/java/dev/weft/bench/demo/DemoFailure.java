package dev.weft.bench.demo;

/** The demo could not finish a step (the client died, a phase timed out); the message says which. */
final class DemoFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DemoFailure(String message) {
        super(message);
    }
}
