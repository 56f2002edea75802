-- Spends one token of a named allowance (per address limits, shared by every instance).
-- KEYS[1]: the allowance. ARGV: tokens per ms, burst. Returns 0, or the ms to wait.
return take_token(KEYS[1], now_ms(), tonumber(ARGV[1]), tonumber(ARGV[2]))
