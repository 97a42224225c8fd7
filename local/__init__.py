"""Run the pipeline on this machine: moto for AWS, the project's Rekognition fake for Rekognition."""
