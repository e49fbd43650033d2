package io.flinkwatch.alerts.alertmanager;

import java.io.IOException;

/**
 * A secret or CA file that cannot be used: the message names the file, its path and the reason,
 * never what the file holds.
 */
public final class CredentialFileException extends IOException {

    private static final long serialVersionUID = 1L;

    CredentialFileException(String message) {
        super(message);
    }
}
