package dev.stevedore.trigger.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.security.AgentSigner;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.EventVerifier;
import dev.stevedore.common.security.RequestSigner;
import dev.stevedore.common.security.RequestVerifier;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryFeedTest {
  final EventCodec codec = new EventCodec();
  final KeyPair own = Ed25519Keys.generate();
  final KeyPair other = Ed25519Keys.generate();
  final DeploymentHistory history = new DeploymentHistory(10, 1000);
  final HistoryFeed feed = new HistoryFeed(history, new RequestVerifier(List.of(own.getPublic()), codec));

  DeployRequested signed(KeyPair keys, DeployRequested r) {
    return new RequestSigner(keys, codec).sign(r);
  }

  @Test
  void onlyRequestsSignedWithTheTriggersOwnKeyMakeADeploymentKnown() {
    DeployRequested real = DeploymentHistoryTest.requested("d1", "v1", 0);
    DeployRequested unsigned = DeploymentHistoryTest.requested("d2", "v2", 0);
    DeployRequested foreign = DeploymentHistoryTest.requested("d3", "v3", 0);
    DeployRequested tampered = signed(own, DeploymentHistoryTest.requested("d4", "v4", 0));
    tampered = new DeployRequested(tampered.id(), tampered.source(), tampered.time(), tampered.deploymentId(),
        tampered.service(), tampered.environment(), "v0-vulnerable", tampered.commit(), tampered.branch(),
        tampered.repository(), tampered.requestedBy(), tampered.trigger(), tampered.reason(), tampered.target(),
        tampered.keyId(), tampered.signature());

    feed.accept(signed(own, real));
    feed.accept(unsigned);
    feed.accept(signed(other, foreign));
    feed.accept(tampered);

    assertThat(history.knows("d1")).isTrue();
    assertThat(history.knows("d2")).isFalse();
    assertThat(history.knows("d3")).isFalse();
    assertThat(history.knows("d4")).isFalse();
  }

  @Test
  void aForgedRequestAndItsSuccessAreNoRollbackTarget() {
    feed.accept(signed(own, DeploymentHistoryTest.requested("d1", "v1", 0)));
    feed.accept(DeploymentHistoryTest.succeeded("d1", "h1", "v1", 5));
    feed.accept(DeploymentHistoryTest.requested("forged", "v0-vulnerable", 6));
    feed.accept(new DeploySucceeded("x", "a", DeploymentHistoryTest.T.plusSeconds(7), "forged", "h1", "web", "prod",
        "v0-vulnerable", null, 1));
    feed.accept(signed(own, DeploymentHistoryTest.requested("d2", "v2", 10)));

    assertThat(history.rollbackTarget("d2").previous().version()).isEqualTo("v1");
  }

  @Test
  void withTrustedAgentKeysOnlyOutcomesSignedByTheHostsOwnKeyCount() {
    KeyPair h1 = Ed25519Keys.generate();
    KeyPair h2 = Ed25519Keys.generate();
    HistoryFeed checking = new HistoryFeed(history, new RequestVerifier(List.of(own.getPublic()), codec),
        new EventVerifier(List.of(new EventVerifier.TrustedAgent("h1", h1.getPublic()),
            new EventVerifier.TrustedAgent("h2", h2.getPublic())), codec));
    checking.accept(signed(own, DeploymentHistoryTest.requested("d1", "v1", 0)));
    checking.accept(new AgentSigner(h1, codec).sign(DeploymentHistoryTest.succeeded("d1", "h1", "v1", 5)));
    checking.accept(signed(own, DeploymentHistoryTest.requested("d2", "v2", 10)));
    checking.accept(DeploymentHistoryTest.succeeded("d2", "h1", "v2", 15)); // unsigned
    checking.accept(new AgentSigner(h2, codec).sign(DeploymentHistoryTest.succeeded("d2", "h1", "v2", 16)));
    checking.accept(signed(own, DeploymentHistoryTest.requested("d3", "v3", 20)));

    assertThat(history.rollbackTarget("d3").previous().version()).isEqualTo("v1");
  }

  @Test
  void aRequestReadBackExactlyAsSignedHereIsTrustedWithoutASecondVerification() throws Exception {
    SignedHere here = new SignedHere(100);
    // a verifier that knows no key of ours: whatever it verifies is refused
    HistoryFeed skipping = new HistoryFeed(history, new RequestVerifier(List.of(other.getPublic()), codec),
        new EventVerifier(List.of(), codec), here);
    DeployRequested mine = signed(own, DeploymentHistoryTest.requested("d1", "v1", 0));
    here.remember(mine);
    // the round trip through the topic: encoded, read back, decoded
    skipping.accept((DeployRequested) codec.decode(codec.encode(mine)));
    assertThat(history.knows("d1")).as("read back exactly as signed here: no verification needed").isTrue();
    assertThat(here.size()).isZero();
  }

  @Test
  void aCopiedSignatureOnChangedFieldsOrAForgottenRequestIsVerifiedAsBefore() throws Exception {
    SignedHere here = new SignedHere(1);
    HistoryFeed checking = new HistoryFeed(history, new RequestVerifier(List.of(own.getPublic()), codec),
        new EventVerifier(List.of(), codec), here);
    DeployRequested mine = signed(own, DeploymentHistoryTest.requested("d1", "v1", 0));
    here.remember(mine);
    DeployRequested copied = new DeployRequested(mine.id(), mine.source(), mine.time(), mine.deploymentId(),
        mine.service(), mine.environment(), "v0-vulnerable", mine.commit(), mine.branch(), mine.repository(),
        mine.requestedBy(), mine.trigger(), mine.reason(), mine.target(), mine.keyId(), mine.signature());
    checking.accept(copied); // an attacker's record first, with our signature: not vouched for, and fails verification
    assertThat(history.knows("d1")).isFalse();
    checking.accept((DeployRequested) codec.decode(codec.encode(mine))); // ours afterwards: verified, known
    assertThat(history.knows("d1")).isTrue();

    DeployRequested first = signed(own, DeploymentHistoryTest.requested("d2", "v2", 1));
    DeployRequested second = signed(own, DeploymentHistoryTest.requested("d3", "v3", 2));
    here.remember(first);
    here.remember(second); // capacity 1: the first is forgotten
    assertThat(here.size()).isEqualTo(1);
    HistoryFeed refusing = new HistoryFeed(history, new RequestVerifier(List.of(other.getPublic()), codec),
        new EventVerifier(List.of(), codec), here);
    refusing.accept(first);
    refusing.accept(second);
    assertThat(history.knows("d2")).as("forgotten: verified, and this verifier refuses it").isFalse();
    assertThat(history.knows("d3")).isTrue();
  }
}
