/**
 * rlimit-listener: the daemon that turns kernel rlimit events into passive check results.
 * Skeleton only; the event source (kernel/) and the sinks come with their own issues.
 */
package org.rlimitevents.listener;
