/**
 * The shapes of the REST API's answers, for its OpenAPI document only ({@code GET /api/v1/openapi.json}): Camel's
 * REST DSL names them as response models and describes every field from these annotations. The answers
 * themselves are written by {@code ApiResponses}; {@code OpenApiIT} checks real answers against these shapes.
 */
package dev.marketdata.api.schema;
