package org.rlimitevents.listener;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import sun.misc.Signal;

/**
 * SIGHUP re-reads the configuration; SIGTERM and SIGINT stop cleanly and exit 0 (systemd's stop);
 * a thread's fatal failure stops and exits 1. All of it runs on one thread, in arrival order, so
 * a second SIGTERM during the stop waits behind the first and nothing is closed twice.
 */
final class SignalHandlers {
    private final BlockingQueue<Integer> requests = new LinkedBlockingQueue<>();
    private static final int RELOAD = -1;

    SignalHandlers(Runnable reload, Runnable stop) {
        Thread t = new Thread(() -> {
            while (true) {
                int request;
                try {
                    request = requests.take();
                } catch (InterruptedException e) {
                    return;
                }
                if (request == RELOAD) {
                    reload.run();
                } else {
                    stop.run();
                    Runtime.getRuntime().halt(request); // hooks already done: the JVM's default would exit 143
                }
            }
        }, "rlimit-signals");
        t.setDaemon(true);
        t.start();
        Signal.handle(new Signal("HUP"), s -> requests.add(RELOAD));
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), s -> requests.add(0));
        }
    }

    /** Stops the listener and exits with {@code status} (a fatal failure: non-zero). */
    void exit(int status) {
        requests.add(status);
    }
}
