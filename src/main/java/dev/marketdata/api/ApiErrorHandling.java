package dev.marketdata.api;

import org.apache.camel.builder.RouteConfigurationBuilder;

/**
 * Error handling shared by the REST routes (they refer to it as {@code api-errors}): a client error
 * becomes its JSON error with the right status, anything else a generic 500. No stack trace leaves here.
 */
public class ApiErrorHandling extends RouteConfigurationBuilder {

    public static final String ID = "api-errors";

    @Override
    public void configuration() {
        routeConfiguration(ID)
                .onException(Exception.class)
                .handled(true)
                .bean(ApiResponses.BEAN, "error");
    }
}
