package dev.tollgate.kernel.config;

import java.nio.file.Path;

/**
 * Where the model catalog is read from.
 *
 * @param path     the file, or {@code null} for no catalog
 * @param required whether a missing file is a configuration error ({@code models_file} was set)
 *                 or means an empty catalog (the default {@code models.yaml} beside the configuration)
 */
public record ModelsFile(Path path, boolean required) {

    public static final ModelsFile NONE = new ModelsFile(null, false);
}
