package dev.stevedore.trigger.schedule;

/**
 * One record on the schedule topic: the schedule as its writer wants it to be now, the writer's
 * claim when it claims the schedule for firing ({@code firing}), and which trigger instance wrote it.
 * Key: the schedule id. Whether it takes effect is {@link ScheduleBook#decide}'s to say.
 */
public record ScheduleChange(Schedule schedule, String claim, String writer) {
  public ScheduleChange {
    if (schedule == null) {
      throw new IllegalArgumentException("a schedule change needs its schedule");
    }
    if (schedule.state() == Schedule.State.FIRING && (claim == null || claim.isBlank())) {
      throw new IllegalArgumentException("a firing record needs its claim");
    }
  }
}
