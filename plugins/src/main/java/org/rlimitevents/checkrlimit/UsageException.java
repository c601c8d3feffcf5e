package org.rlimitevents.checkrlimit;

/**
 * The command line cannot be used; the message is the one-line reason shown to the admin (quoted
 * input is cleaned: an argument holding a newline must not make it two lines).
 */
public class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(org.rlimitevents.plugin.PluginText.clean(message));
    }
}
