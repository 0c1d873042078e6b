package dev.tollgate.kernel.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.kernel.governance.store.BatchingSpendStore;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.store.GovernanceStore;
import dev.tollgate.spi.store.GovernanceStoreFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@code governance.store} picks a plugin's store, wrapped by the ledger writer, and an unknown one fails the start clearly. */
class GovernanceStoreSelectionTest {

    /** Contributes the store {@code memory}, and remembers the one it made and the config it read. */
    private static final class MemoryStorePlugin implements TollgatePlugin {
        final AtomicReference<InMemoryGovernanceStore> made = new AtomicReference<>();
        final AtomicReference<String> label = new AtomicReference<>();

        @Override
        public List<GovernanceStoreFactory> governanceStores() {
            return List.of(new GovernanceStoreFactory() {
                @Override
                public String name() {
                    return "memory";
                }

                @Override
                public GovernanceStore create(PluginConfig config, PluginContext context) {
                    label.set(config.string("label"));
                    config.requireAllRead();
                    InMemoryGovernanceStore s = new InMemoryGovernanceStore();
                    made.set(s);
                    return s;
                }
            });
        }
    }

    private static final String STORE = """
            admin: {master_key: '${env:TG_TEST_MASTER}'}
            governance:
              store:
                backend: memory
                config: {label: shared}
            """;

    @Test
    void theNamedPluginStoreHoldsTheKeysAndTheEmbeddedStoreIsNotOpened() {
        MemoryStorePlugin plugin = new MemoryStorePlugin();
        try (GovernedGateway gw = GovernedGateway.start(STORE + "responses: {store: off}\n", Map.of("memory-store", plugin))) {
            assertThat(gw.gateway().governance().store()).isInstanceOf(BatchingSpendStore.class);

            String id = gw.createKey("{\"name\":\"in-plugin\"}").get("id").asText();

            assertThat(plugin.label.get()).isEqualTo("shared");
            assertThat(plugin.made.get().key(id)).isPresent();
            assertThat(gw.dataDir().resolve("governance.db")).doesNotExist();
        }
    }

    @Test
    void aStoreThatKeepsNoResponsesFailsTheStartUnlessResponsesStoreIsOff() {
        assertThatThrownBy(() -> GovernedGateway.start(STORE, Map.of("memory-store", new MemoryStorePlugin())).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("responses.store is on, but the governance store (memory) keeps no responses")
                .hasMessageContaining("responses.store: off");
    }

    @Test
    void anUnknownStoreFailsTheStartNamingTheKeyAndWhatIsAvailable() {
        assertThatThrownBy(() -> GovernedGateway.start(STORE.replace("backend: memory", "backend: nope"),
                Map.of("memory-store", new MemoryStorePlugin())).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("governance.store.backend: unknown governance store 'nope'")
                .hasMessageContaining("memory (plugin memory-store)");
    }

    @Test
    void anUnknownKeyOfThePluginStoreFailsTheStartNamingIt() {
        assertThatThrownBy(() -> GovernedGateway.start(STORE.replace("{label: shared}", "{label: shared, colour: red}"),
                Map.of("memory-store", new MemoryStorePlugin())).close())
                .isInstanceOf(ConfigException.class).hasMessageContaining("governance.store.config.colour");
    }
}
