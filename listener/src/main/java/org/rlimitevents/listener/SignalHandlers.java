package org.rlimitevents.listener;

import sun.misc.Signal;

/** SIGHUP re-reads the configuration; SIGTERM and SIGINT stop cleanly and exit 0 (systemd's stop). */
final class SignalHandlers {
    private SignalHandlers() {
    }

    static void onHangup(Runnable action) {
        Signal.handle(new Signal("HUP"), s -> new Thread(action, "rlimit-reload").start());
    }

    static void onTerminate(Runnable stop) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), s -> new Thread(() -> {
                stop.run();
                Runtime.getRuntime().halt(0); // hooks already done: the JVM's default would exit 143
            }, "rlimit-stop").start());
        }
    }
}
