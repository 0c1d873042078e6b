package dev.tollgate.kernel.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SecretsTest {

    @BeforeEach
    @AfterEach
    void forget() {
        Secrets.clearForTests();
    }

    @Test
    void masksEveryOccurrenceOfEveryRegisteredSecret() {
        Secrets.register("Zq81kP0aLmN3");
        Secrets.register("second-key-77");
        assertThat(Secrets.scrub("a Zq81kP0aLmN3 b Zq81kP0aLmN3c second-key-77."))
                .isEqualTo("a *** b ***c ***.");
    }

    @Test
    void leavesTextAloneWhenNothingIsRegisteredOrNothingMatches() {
        String line = "request 7 failed: 502 upstream_error";
        assertThat(Secrets.scrub(line)).isSameAs(line);
        Secrets.register("Zq81kP0aLmN3");
        assertThat(Secrets.scrub(line)).isSameAs(line);
        assertThat(Secrets.scrub(null)).isNull();
    }

    @Test
    void ignoresValuesShorterThanEightCharacters() {
        Secrets.register("short77");
        Secrets.register("        ");
        Secrets.register(null);
        assertThat(Secrets.count()).isZero();
        assertThat(Secrets.scrub("short77")).isEqualTo("short77");
        Secrets.register("exactly8");
        assertThat(Secrets.scrub("[exactly8]")).isEqualTo("[***]");
    }

    @Test
    void masksOverlappingSecretsAsOneSpanLeavingNoFragment() {
        Secrets.register("AAAAbbbb");
        Secrets.register("bbbbCCCC");
        assertThat(Secrets.scrub("x AAAAbbbbCCCC y")).isEqualTo("x *** y");
        Secrets.register("abababab");
        assertThat(Secrets.scrub("ababababab!")).isEqualTo("***!");
    }

    @Test
    void registeringTheSameSecretTwiceKeepsOneEntry() {
        Secrets.register("Zq81kP0aLmN3");
        Secrets.register("Zq81kP0aLmN3");
        assertThat(Secrets.count()).isEqualTo(1);
    }
}
