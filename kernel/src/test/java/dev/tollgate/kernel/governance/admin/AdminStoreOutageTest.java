package dev.tollgate.kernel.governance.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.governance.GovernanceDirectory;
import dev.tollgate.kernel.governance.InMemoryGovernanceStore;
import dev.tollgate.kernel.governance.auth.MasterKey;
import dev.tollgate.spi.store.StoreException;
import dev.tollgate.spi.store.Team;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** While the store's database is down, admin calls get 503 and change nothing. */
class AdminStoreOutageTest {

    private static final String MASTER = "outage-master-key-0123456789abcdef";

    /** A store whose database went away. */
    private static final class DownStore extends InMemoryGovernanceStore {
        volatile boolean down;

        @Override
        public void createTeam(Team team) {
            if (down) {
                throw new StoreException("createTeam failed on jdbc:postgresql://db/tollgate: Connection refused");
            }
            super.createTeam(team);
        }
    }

    private static AdminResponse call(AdminApi api, String method, String path, String body) {
        return api.handle(new AdminRequest(method, path, "", name -> name.equals("authorization") ? "Bearer " + MASTER : null,
                body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void anUnreachableStoreGets503AndNothingChanges() {
        DownStore store = new DownStore();
        AdminApi api = new AdminApi(store, new GovernanceDirectory(), MasterKey.of(MASTER),
                Clock.fixed(Instant.parse("2026-03-01T00:00:00Z"), ZoneOffset.UTC));
        store.down = true;

        AdminResponse r = call(api, "POST", "/admin/teams", "{\"name\":\"t\"}");

        assertThat(r.status()).isEqualTo(503);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("governance_store_unavailable")
                .doesNotContain("jdbc:postgresql");
        assertThat(store.teams()).isEmpty();
        store.down = false;
        assertThat(call(api, "POST", "/admin/teams", "{\"name\":\"t\"}").status()).isEqualTo(201);
    }
}
