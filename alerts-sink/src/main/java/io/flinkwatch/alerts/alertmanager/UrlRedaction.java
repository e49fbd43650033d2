package io.flinkwatch.alerts.alertmanager;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * Hides credentials embedded in URLs ({@code https://user:password@host}) before a URL is logged,
 * named in a thread or put into an exception message: the whole user information becomes {@value
 * #MASK}, since a user name alone may be a token.
 */
public final class UrlRedaction {

    /** What replaces the user information. */
    public static final String MASK = "******";

    // scheme://userinfo@ — up to the last "@" of the authority (an unencoded "@" in a password
    // must not leave its tail behind); an "@" in a path, a query or a message is left alone.
    private static final Pattern USER_INFO =
            Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/?#\\s'\"<>]*@");

    private UrlRedaction() {}

    /** The URL with its user information, if any, replaced by {@value #MASK}. */
    public static String redact(URI url) {
        return redact(url.toString());
    }

    /**
     * The text with the user information of every URL in it replaced by {@value #MASK}: for a URL
     * given as text, or for messages (of exceptions, say) that may quote one.
     */
    public static String redact(String text) {
        return text == null ? null : USER_INFO.matcher(text).replaceAll("$1" + MASK + "@");
    }

    /** Whether the URL carries user information (credentials). */
    public static boolean hasUserInfo(URI url) {
        return url.getRawUserInfo() != null;
    }
}
