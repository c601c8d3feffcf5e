package org.rlimitevents.checkrlimit;

/** Which of the two rlimit values thresholds are measured against. */
public enum LimitKind {
    SOFT, HARD
}
