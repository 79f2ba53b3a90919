/**
 * A one-line progress bar on stderr (stdout stays for results). Redrawn in place on a TTY; on
 * a pipe or a CI log it prints a line at most every 10 %, so logs stay short.
 */
export interface ProgressBar {
  update(done: number, total: number, note?: string): void;
  end(): void;
}

export function createProgressBar(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const tty = stream.isTTY === true;
  let lastDecile = -1;
  let drawn = false;
  return {
    update(done, total, note = '') {
      const ratio = total > 0 ? Math.min(1, done / total) : 1;
      const width = 30;
      const filled = Math.round(ratio * width);
      const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${(ratio * 100).toFixed(0)}%${note ? ` ${note}` : ''}`;
      if (tty) {
        stream.write(`\r${line}\x1b[K`);
        drawn = true;
        return;
      }
      const decile = Math.floor(ratio * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        stream.write(`${line}\n`);
      }
    },
    end() {
      if (tty && drawn) stream.write('\n');
    },
  };
}
