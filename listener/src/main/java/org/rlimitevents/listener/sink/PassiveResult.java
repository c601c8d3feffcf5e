package org.rlimitevents.listener.sink;

/**
 * One passive service check result: what a sink delivers. {@code output} is check_rlimit's text as
 * printed (first line, possibly " | perfdata", then long-output lines, real newlines).
 */
public record PassiveResult(long epochSeconds, String host, String service, int returnCode, String output) {
}
