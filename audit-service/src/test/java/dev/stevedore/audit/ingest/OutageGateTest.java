package dev.stevedore.audit.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.audit.ingest.OutageGate.Fault;
import dev.stevedore.audit.ingest.OutageGate.State;
import java.sql.SQLException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class OutageGateTest {
  @Test
  void onlyDataErrorsAreTheEventsFault() {
    assertThat(OutageGate.fault(new SQLException("duplicate key", "23505"))).isEqualTo(Fault.DATA);
    assertThat(OutageGate.fault(new CompletionException(new SQLException("value too long", "22001"))))
        .isEqualTo(Fault.DATA);
    assertThat(OutageGate.fault(new SQLException("read-only transaction", "25006"))).isEqualTo(Fault.OUTAGE);
    assertThat(OutageGate.fault(new SQLException("could not extend file", "53100"))).isEqualTo(Fault.OUTAGE);
    assertThat(OutageGate.fault(new SQLException("[SQLITE_BUSY] The database file is locked"))).isEqualTo(Fault.OUTAGE);
    assertThat(OutageGate.fault(new IllegalStateException("anything else"))).isEqualTo(Fault.OUTAGE);
  }

  @Test
  void anOutagePausesUntilAProbeWrites() {
    OutageGate gate = new OutageGate();
    assertThat(gate.state()).isEqualTo(State.FLOWING);
    assertThat(gate.shouldProbe()).isFalse();

    assertThat(gate.pause()).isTrue();
    assertThat(gate.state()).isEqualTo(State.PAUSED);
    assertThat(gate.pause()).as("paused already").isFalse();
    assertThat(gate.shouldProbe()).isTrue();
    assertThat(gate.probed(false)).isFalse();
    assertThat(gate.probed(false)).isFalse();
    assertThat(gate.failedProbes()).isEqualTo(2);
    assertThat(gate.state()).isEqualTo(State.PAUSED);

    assertThat(gate.probed(true)).isTrue();
    assertThat(gate.state()).isEqualTo(State.FLOWING);
    assertThat(gate.shouldProbe()).isFalse();
    assertThat(gate.probed(true)).as("a late probe answer resumes nothing").isFalse();

    assertThat(gate.pause()).isTrue();
    assertThat(gate.failedProbes()).as("counted afresh for each outage").isZero();
  }

  @Test
  void afterStopNothingPausesOrResumes() {
    OutageGate gate = new OutageGate();
    gate.pause();
    gate.stop();
    assertThat(gate.stopped()).isTrue();
    assertThat(gate.shouldProbe()).isFalse();
    assertThat(gate.probed(true)).isFalse();
    assertThat(gate.pause()).isFalse();
    assertThat(gate.state()).isEqualTo(State.STOPPED);
  }
}
