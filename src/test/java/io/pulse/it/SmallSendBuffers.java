package io.pulse.it;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;

/**
 * For tests that need a client that stops reading to stall the server's writes soon: the kernel's autotuned send
 * buffer on loopback takes megabytes (minutes of snapshots) first. Off unless {@code pulse.test.http-send-buffer}
 * is set (a test profile's).
 */
@ApplicationScoped
public class SmallSendBuffers implements HttpServerOptionsCustomizer {

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        ConfigProvider.getConfig().getOptionalValue("pulse.test.http-send-buffer", Integer.class)
                .ifPresent(options::setSendBufferSize);
    }
}
