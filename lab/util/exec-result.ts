/** What running a command returns, wherever it ran (host, VM over SSH, pod over exec). */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}
