"""Open data: OCDS releases and records for each disposal, a change feed and bulk downloads;
only public fields are released."""
