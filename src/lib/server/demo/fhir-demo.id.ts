/**
 * The demo FHIR server's fixed id (it listens on a new port each start, so patients are linked to this rather than
 * to its URL). In a module of its own so the demo's seed can name it without loading the server.
 */
export const DEMO_FHIR_SERVER_ID = 'urn:pump-pathway:demo-fhir-server';
