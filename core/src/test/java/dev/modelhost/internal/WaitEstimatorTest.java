package dev.modelhost.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The expected wait: queue position × recent service time ÷ the replicas' total capacity. */
class WaitEstimatorTest {

  private static long millis(long ms) {
    return Duration.ofMillis(ms).toNanos();
  }

  @Test
  void hasNoEstimateBeforeARequestCompletedOrWithoutReadyReplicas() {
    WaitEstimator estimator = new WaitEstimator();
    assertThat(estimator.estimate(5, 4)).isNull();
    estimator.record(millis(100));
    assertThat(estimator.estimate(5, 0)).isNull();
  }

  @Test
  void scalesWithThePositionAndDividesByTheCapacity() {
    WaitEstimator estimator = new WaitEstimator();
    estimator.record(millis(400));
    assertThat(estimator.estimate(1, 1)).isEqualTo(Duration.ofMillis(400));
    assertThat(estimator.estimate(3, 1)).isEqualTo(Duration.ofMillis(1200));
    assertThat(estimator.estimate(3, 8)).isEqualTo(Duration.ofMillis(150));
  }

  @Test
  void usesTheMedianOfTheRecentRequestsSoOneOutlierDoesNotSwingIt() {
    WaitEstimator estimator = new WaitEstimator();
    estimator.record(millis(100));
    estimator.record(millis(30_000));
    estimator.record(millis(120));
    assertThat(estimator.recentServiceTime()).isEqualTo(Duration.ofMillis(120));
  }

  @Test
  void forgetsRequestsOlderThanItsWindow() {
    WaitEstimator estimator = new WaitEstimator();
    for (int i = 0; i < WaitEstimator.WINDOW; i++) {
      estimator.record(millis(1000));
    }
    for (int i = 0; i < WaitEstimator.WINDOW / 2 + 1; i++) {
      estimator.record(millis(10));
    }
    assertThat(estimator.recentServiceTime()).isEqualTo(Duration.ofMillis(10));
  }
}
