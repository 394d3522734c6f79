export { JobModel, JobStatus, type Job } from "./job.model";
export { JobService, isFinished, type JobChanges } from "./job.service";
