/** RFC 9457 problem details, as the API answers every error (French titles). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problem(status: number, title: string, detail: string): Problem {
  return { type: 'about:blank', title, status, detail };
}
