"""Runtime of the Rekognition Video pipeline: Lambda handlers, pure logic and data access."""
