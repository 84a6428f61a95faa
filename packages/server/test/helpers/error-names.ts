/**
 * The parameters a Binance error message names, for tests that check them against the request.
 */

/** Every parameter named ("Mandatory parameter 'x' …", "Param 'x' or 'y' must be sent …", …). */
export function namedParameters(msg: string): string[] {
  const either = /^Param '([^']+)' or '([^']+)'/.exec(msg);
  if (either) return [either[1] as string, either[2] as string];
  const one =
    /^(?:Mandatory parameter|Parameter|Illegal characters found in parameter|Data sent for parameter|JSON sent for parameter) '([^']+)'/.exec(
      msg,
    );
  return one ? [one[1] as string] : [];
}

/**
 * The parameter an error about a sent value names (sent when not required, empty, too precise,
 * overflowed, illegal characters): the request must have sent it under that name.
 */
export function valueParameter(msg: string): string | undefined {
  const m =
    /^(?:Parameter '([^']+)' (?:sent when not required|was empty|has too much precision|overflowed)|Illegal characters found in parameter '([^']+)')/.exec(
      msg,
    );
  return m?.[1] ?? m?.[2];
}
