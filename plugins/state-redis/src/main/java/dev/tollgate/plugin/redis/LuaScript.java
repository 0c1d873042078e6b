package dev.tollgate.plugin.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One atomic script: run by its SHA-1 ({@code EVALSHA}), and by its body ({@code EVAL}, which also
 * caches it) when Redis answers {@code NOSCRIPT} after a restart or a {@code SCRIPT FLUSH}.
 */
final class LuaScript {

    private final String name;
    private final String body;
    private final String sha;
    private final ScriptOutputType output;

    private LuaScript(String name, String body, ScriptOutputType output) {
        this.name = name;
        this.body = body;
        this.sha = sha1(body);
        this.output = output;
    }

    /** The resource {@code <name>.lua} after the shared prelude. */
    static LuaScript load(String name, ScriptOutputType output) {
        return new LuaScript(name, resource("prelude") + "\n" + resource(name), output);
    }

    String name() {
        return name;
    }

    <T> CompletableFuture<T> run(RedisAsyncCommands<String, String> redis, String[] keys, String... args) {
        CompletableFuture<T> bySha = redis.<T>evalsha(sha, output, keys, args).toCompletableFuture();
        return bySha.exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RedisNoScriptException) {
                return redis.<T>eval(body, output, keys, args).toCompletableFuture();
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    private static String resource(String name) {
        try (InputStream in = LuaScript.class.getResourceAsStream(name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("script " + name + ".lua is missing from the plugin");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(body.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
