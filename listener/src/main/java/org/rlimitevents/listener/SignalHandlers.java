package org.rlimitevents.listener;

import sun.misc.Signal;

/** SIGHUP, the daemon convention for "re-read your configuration". */
final class SignalHandlers {
    private SignalHandlers() {
    }

    static void onHangup(Runnable action) {
        Signal.handle(new Signal("HUP"), s -> new Thread(action, "rlimit-reload").start());
    }
}
