package io.flinkwatch.ingest.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A new job's scrapes wait for its true name; seen on real 1.20 and 2.2 clusters, where the first
 * scrapes came before the REST API's answer and made a second, soon silent, job {@code
 * sample_orders} beside {@code sample-orders}.
 */
class UnnamedJobsTest {

    private final UnnamedJobs unnamed = new UnnamedJobs(30_000);

    @Test
    void aJobWithoutDetailsWaitsThenIsPublishedOnceTheyCome() {
        assertThat(unnamed.publish("job-1", false, 0)).isFalse();
        assertThat(unnamed.publish("job-1", false, 2_000)).isFalse();
        assertThat(unnamed.publish("job-1", true, 4_000)).isTrue();
    }

    @Test
    void aJobWithDetailsAtOnceIsNeverHeld() {
        assertThat(unnamed.publish("job-1", true, 0)).isTrue();
    }

    @Test
    void withoutAnAnswerAJobIsPublishedUnderItsFilteredNameAfterTheGrace() {
        assertThat(unnamed.publish("job-1", false, 0)).isFalse();
        assertThat(unnamed.publish("job-1", false, 29_999)).isFalse();
        assertThat(unnamed.publish("job-1", false, 30_000)).isTrue();
        // Another job has a grace of its own.
        assertThat(unnamed.publish("job-2", false, 30_000)).isFalse();
    }

    @Test
    void aJobForgottenAfterItEndedStartsAFreshGraceIfItComesBack() {
        assertThat(unnamed.publish("job-1", false, 0)).isFalse();
        unnamed.forgetBefore(100_000);
        assertThat(unnamed.publish("job-1", false, 200_000)).isFalse();
        assertThat(unnamed.publish("job-1", false, 230_000)).isTrue();
    }
}
