package dev.stevedore.audit.ingest;

import dev.stevedore.audit.store.Refusals;

/**
 * The ingest's outage state machine, without I/O: what a failure to store means, and whether the
 * consumer flows, waits for the database, or stops.
 * <ul>
 *   <li>A data error ({@link Refusals}) is the event's fault: the batch is stored event by event
 *       and the events still refused are dead-lettered; the consumer keeps flowing.</li>
 *   <li>Anything else is an outage: the consumer rewinds what it has not stored, pauses, and
 *       probes the database with a write until one succeeds; then it flows again.</li>
 * </ul>
 * Not thread-safe: used on the ingest verticle's context only.
 */
final class OutageGate {
  enum Fault { DATA, OUTAGE }

  enum State { FLOWING, PAUSED, STOPPED }

  private State state = State.FLOWING;
  private long failedProbes;

  /** What a failure to store says: the data's fault, or an outage. */
  static Fault fault(Throwable failure) {
    return Refusals.isRefusal(failure) ? Fault.DATA : Fault.OUTAGE;
  }

  /**
   * A batch could not be completed: pause. True when this paused a flowing consumer; false when
   * it was paused already or is stopping (then the failure ends the cycle).
   */
  boolean pause() {
    if (state != State.FLOWING) {
      return false;
    }
    state = State.PAUSED;
    failedProbes = 0;
    return true;
  }

  /** Whether to probe the database now: only while paused. */
  boolean shouldProbe() {
    return state == State.PAUSED;
  }

  /**
   * A probe's answer while paused. True when the consumer is to resume (the write succeeded);
   * false to probe again later (or, when stopping, not at all).
   */
  boolean probed(boolean writable) {
    if (state != State.PAUSED) {
      return false;
    }
    if (writable) {
      state = State.FLOWING;
      return true;
    }
    failedProbes++;
    return false;
  }

  /** From now on nothing resumes and nothing more is polled. */
  void stop() {
    state = State.STOPPED;
  }

  boolean stopped() {
    return state == State.STOPPED;
  }

  State state() {
    return state;
  }

  /** Probes that failed since the consumer paused. */
  long failedProbes() {
    return failedProbes;
  }
}
