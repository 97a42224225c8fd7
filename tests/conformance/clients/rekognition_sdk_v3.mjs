// The AWS SDK for JavaScript v3 (npm @aws-sdk/client-rekognition, unchanged) against the emulator.
// Reads its targets from the environment, prints one JSON document of what it received.
// Written as an SDK user writes it: paginators, commands, and the developer guide's own loop
// (a first GetLabelDetection with NextToken: '' and MaxResults: 10, SortBy: 'TIMESTAMP').
import {
  RekognitionClient,
  StartFaceDetectionCommand,
  StartCelebrityRecognitionCommand,
  StartPersonTrackingCommand,
  StartLabelDetectionCommand,
  StartSegmentDetectionCommand,
  StartTextDetectionCommand,
  StartContentModerationCommand,
  GetLabelDetectionCommand,
  GetFaceDetectionCommand,
  paginateGetFaceDetection,
  paginateGetCelebrityRecognition,
  paginateGetPersonTracking,
  paginateGetLabelDetection,
  paginateGetSegmentDetection,
  paginateGetTextDetection,
  paginateGetContentModeration,
} from "@aws-sdk/client-rekognition";

const env = process.env;
const client = new RekognitionClient({
  endpoint: env.REKOGNITION_URL,
  region: env.AWS_DEFAULT_REGION,
  credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  maxAttempts: 1,
});
const video = { S3Object: { Bucket: env.BUCKET, Name: env.KEY } };
const channel = { SNSTopicArn: env.TOPIC_ARN, RoleArn: env.ROLE_ARN };

// Operation: [Start command, Get paginator, result key, what Start needs besides the video].
const analyses = {
  StartFaceDetection: [StartFaceDetectionCommand, paginateGetFaceDetection, "Faces", {}],
  StartCelebrityRecognition: [StartCelebrityRecognitionCommand, paginateGetCelebrityRecognition, "Celebrities", {}],
  StartPersonTracking: [StartPersonTrackingCommand, paginateGetPersonTracking, "Persons", {}],
  StartLabelDetection: [StartLabelDetectionCommand, paginateGetLabelDetection, "Labels", {}],
  StartSegmentDetection: [
    StartSegmentDetectionCommand,
    paginateGetSegmentDetection,
    "Segments",
    { SegmentTypes: ["SHOT", "TECHNICAL_CUE"] },
  ],
  StartTextDetection: [StartTextDetectionCommand, paginateGetTextDetection, "TextDetections", {}],
  StartContentModeration: [StartContentModerationCommand, paginateGetContentModeration, "ModerationLabels", {}],
};

async function finished(paginate, jobId) {
  // Bounded polling, as a client without a queue would do; the emulator's workers finish jobs quickly.
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const first = await paginate({ client, pageSize: 1 }, { JobId: jobId }).next();
    if (first.value.JobStatus !== "IN_PROGRESS") return first.value.JobStatus;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${jobId} did not finish`);
}

async function errorOf(command) {
  try {
    await client.send(command);
    return null;
  } catch (error) {
    return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode };
  }
}

const report = { jobs: {}, errors: {} };
for (const [operation, [StartCommand, paginate, resultKey, required]] of Object.entries(analyses)) {
  const { JobId } = await client.send(
    new StartCommand({ Video: video, NotificationChannel: channel, JobTag: "js", ...required }),
  );
  const status = await finished(paginate, JobId);
  const pages = [];
  for await (const page of paginate({ client, pageSize: 4 }, { JobId })) {
    pages.push({ count: page[resultKey].length, elements: page[resultKey], metadata: page.VideoMetadata });
  }
  report.jobs[operation] = { jobId: JobId, status, pages };
}

// The developer guide's JavaScript loop, unchanged but for the job id it is given.
const labelsJob = report.jobs.StartLabelDetection.jobId;
const guide = [];
let paginationToken = "";
let finishedLoop = false;
while (finishedLoop === false) {
  const response = await client.send(
    new GetLabelDetectionCommand({ JobId: labelsJob, MaxResults: 10, NextToken: paginationToken, SortBy: "TIMESTAMP" })
  );
  guide.push(...response.Labels);
  if (response.NextToken) paginationToken = response.NextToken;
  else finishedLoop = true;
}
report.developerGuideLabels = guide;

report.errors.validation = await errorOf(
  new StartFaceDetectionCommand({ Video: video, ClientRequestToken: "has space" })
);
report.errors.missingObject = await errorOf(
  new StartLabelDetectionCommand({ Video: { S3Object: { Bucket: env.BUCKET, Name: "missing.mp4" } } })
);
report.errors.unknownJob = await errorOf(new GetFaceDetectionCommand({ JobId: "f".repeat(64) }));
process.stdout.write(JSON.stringify(report));
