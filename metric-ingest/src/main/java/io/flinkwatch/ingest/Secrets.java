package io.flinkwatch.ingest;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What counts as a secret in settings, and how it is printed: {@value #MASK}. A secret is the value
 * of {@code sasl.jaas.config}, of any key containing {@code password}, {@code secret} or {@code
 * token}, of {@code ssl.keystore.key} (a PEM private key), and the credentials of a URL ({@code
 * https://user:pass@host}). Every log line, exception message and document that shows settings goes
 * through here.
 */
public final class Secrets {

    public static final String MASK = "******";

    // scheme://userinfo@, up to the last "@" of the authority (an "@" in a password must not leave
    // its tail behind); an "@" in a path, a query or a message is left alone.
    private static final Pattern URL_CREDENTIALS =
            Pattern.compile("(?i)\\b([a-z][a-z0-9+._-]*://)[^/?#\\s'\"<>]*@");

    private Secrets() {}

    /** Whether the value of the setting {@code key} is a secret. */
    public static boolean isSecretKey(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return lower.endsWith("sasl.jaas.config")
                || lower.endsWith("ssl.keystore.key")
                || lower.contains("password")
                || lower.contains("secret")
                || lower.contains("token");
    }

    /** The value as it may be shown: masked for a secret key, URLs without their credentials. */
    public static String redact(String key, String value) {
        if (value == null) {
            return null;
        }
        return isSecretKey(key) ? MASK : redactUrls(value);
    }

    /** The text with the credentials of every URL in it masked. */
    public static String redactUrls(String text) {
        return URL_CREDENTIALS.matcher(text).replaceAll("$1" + MASK + "@");
    }

    /** A copy of the settings, in the same order, with {@link #redact} applied to every value. */
    public static Map<String, String> redact(Map<String, String> settings) {
        Map<String, String> shown = new LinkedHashMap<>();
        settings.forEach((key, value) -> shown.put(key, redact(key, value)));
        return shown;
    }
}
