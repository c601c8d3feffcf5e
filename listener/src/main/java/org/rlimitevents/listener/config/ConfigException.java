package org.rlimitevents.listener.config;

/** A configuration that cannot be used; the message names the file and line where there is one. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
