package dev.modelhost;

/**
 * How far the download of a service's model has come, while the service is {@code CREATING}.
 *
 * @param bytesDone bytes in the local cache so far, counting files found there already
 * @param bytesTotal bytes of every file to fetch; known once the files' sizes were asked
 * @param filesDone files complete in the local cache
 * @param filesTotal files to fetch
 */
public record PullProgress(long bytesDone, long bytesTotal, int filesDone, int filesTotal) {

  public PullProgress {
    if (bytesDone < 0 || bytesTotal < 0 || filesDone < 0 || filesTotal < 0 || filesDone > filesTotal) {
      throw new IllegalArgumentException("inconsistent progress: " + bytesDone + "/" + bytesTotal + " bytes, "
          + filesDone + "/" + filesTotal + " files");
    }
  }

  /** Done as a fraction in [0, 1] by bytes; 0 while the total is unknown. */
  public double fraction() {
    return bytesTotal == 0 ? 0 : Math.min(1.0, (double) bytesDone / bytesTotal);
  }
}
