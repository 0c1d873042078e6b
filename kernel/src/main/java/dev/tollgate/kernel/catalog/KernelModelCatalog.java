package dev.tollgate.kernel.catalog;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tollgate.kernel.config.DeploymentSettings;
import dev.tollgate.kernel.config.GatewayConfig;
import dev.tollgate.kernel.config.ModelSettings;
import dev.tollgate.kernel.config.ModelsFile;
import dev.tollgate.spi.catalog.ModelCatalog;
import dev.tollgate.spi.catalog.ModelInfo;
import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model catalog: the entries of {@code models.yaml}, and for each deployment its effective
 * info, the deployment's {@code model_info} merged key by key over the catalog entry of its
 * upstream model. Immutable once loaded.
 */
public final class KernelModelCatalog implements ModelCatalog {

    private static final Logger log = LoggerFactory.getLogger(KernelModelCatalog.class);
    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final Map<String, ModelInfo> models;
    private final Map<String, Optional<ModelInfo>> byDeployment;

    private KernelModelCatalog(Map<String, ModelInfo> models, Map<String, Optional<ModelInfo>> byDeployment) {
        this.models = Collections.unmodifiableMap(models);
        this.byDeployment = Collections.unmodifiableMap(byDeployment);
    }

    /** Reads the configured {@code models.yaml} (if any) and merges the deployments' overrides. */
    public static KernelModelCatalog load(GatewayConfig config) {
        return of(read(config.modelsFile()), config.models().values());
    }

    /** A catalog of {@code entries} (model name to entry) with the deployments of {@code models}. */
    public static KernelModelCatalog of(Map<String, CatalogEntry> entries, Collection<ModelSettings> models) {
        Map<String, ModelInfo> infos = new LinkedHashMap<>();
        entries.forEach((name, e) -> infos.put(name, e.toModelInfo(name, "models." + name)));
        Map<String, Optional<ModelInfo>> byDeployment = new LinkedHashMap<>();
        for (ModelSettings m : models) {
            for (int i = 0; i < m.deployments().size(); i++) {
                DeploymentSettings d = m.deployments().get(i);
                CatalogEntry base = entries.getOrDefault(d.upstreamModel(), CatalogEntry.EMPTY);
                String path = "models." + m.name() + ".deployments[" + i + "].model_info"
                        + (base.isEmpty() ? "" : " (merged over the catalog entry of " + d.upstreamModel() + ")");
                byDeployment.put(d.id(), d.modelInfo().isEmpty()
                        ? Optional.ofNullable(infos.get(d.upstreamModel()))
                        : Optional.of(d.modelInfo().over(base).toModelInfo(d.upstreamModel(), path)));
            }
        }
        return new KernelModelCatalog(infos, byDeployment);
    }

    /** The entries of a {@code models.yaml}, by model name; empty when there is none to read. */
    static Map<String, CatalogEntry> read(ModelsFile file) {
        if (file.path() == null) {
            return Map.of();
        }
        String text;
        try {
            text = Files.readString(file.path());
        } catch (NoSuchFileException e) {
            if (file.required()) {
                throw new ConfigException("models_file " + file.path() + " does not exist");
            }
            log.info("no model catalog at {}: models are served without prices or limits", file.path());
            return Map.of();
        } catch (IOException e) {
            throw new ConfigException("models_file " + file.path() + " cannot be read: " + e.getMessage());
        }
        try {
            Map<String, CatalogEntry> entries = parse(text);
            log.info("model catalog: {} models from {}", entries.size(), file.path());
            return entries;
        } catch (ConfigException e) {
            throw new ConfigException(file.path() + ": " + e.getMessage());
        }
    }

    /** Parses the text of a {@code models.yaml}; errors name the key path inside it. */
    static Map<String, CatalogEntry> parse(String yaml) {
        Object root;
        try (JsonParser p = YAML.createParser(yaml)) {
            root = p.nextToken() == null ? null : YAML.readValue(p, Object.class);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new ConfigException("not valid YAML" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException("cannot be read: " + e.getMessage());
        }
        if (root == null) {
            return Map.of();
        }
        if (!(root instanceof Map<?, ?> rootMap)) {
            throw new ConfigException("the model catalog must be a map with key models");
        }
        PluginConfig top = PluginConfig.of("", stringKeys(rootMap, ""));
        top.has("models");
        top.requireAllRead();
        Object models = rootMap.get("models");
        if (models == null) {
            return Map.of();
        }
        if (!(models instanceof Map<?, ?> m)) {
            throw new ConfigException("models must be a map of model name to {input, output, ...}");
        }
        Map<String, CatalogEntry> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String name = String.valueOf(e.getKey());
            String path = "models." + name;
            if (!MODEL_NAME.matcher(name).matches()) {
                throw new ConfigException(path + ": a model name is 1-128 characters of letters, digits and ._:/@+-");
            }
            if (!(e.getValue() instanceof Map<?, ?> body)) {
                throw new ConfigException(path + " must be a map with keys such as input, output, context_window");
            }
            CatalogEntry entry = CatalogEntry.parse(path, stringKeys(body, path));
            entry.toModelInfo(name, path);
            out.put(name, entry);
        }
        return out;
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map, String path) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String k)) {
                throw new ConfigException((path.isEmpty() ? "" : path + ": ") + "key " + e.getKey() + " must be a string");
            }
            out.put(k, e.getValue());
        }
        return out;
    }

    @Override
    public Optional<ModelInfo> find(String model) {
        return Optional.ofNullable(models.get(requireNonNull(model, "model is null")));
    }

    @Override
    public Collection<ModelInfo> all() {
        return models.values();
    }

    /**
     * What the gateway knows of the model a deployment serves: its {@code model_info} over the
     * catalog entry of its upstream model; empty when neither says anything.
     *
     * @throws IllegalArgumentException for an id that is not a configured deployment
     */
    public Optional<ModelInfo> effectiveInfo(String deploymentId) {
        Optional<ModelInfo> info = byDeployment.get(deploymentId);
        if (info == null) {
            throw new IllegalArgumentException("no deployment " + deploymentId);
        }
        return info;
    }
}
