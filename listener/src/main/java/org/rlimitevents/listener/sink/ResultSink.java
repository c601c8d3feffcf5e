package org.rlimitevents.listener.sink;

/** Where passive results go: the Nagios command pipe, a check-result spool directory, stdout. */
public interface ResultSink {
    void send(PassiveResult result) throws SinkException;

    /** For the log: what and where. */
    String describe();
}
