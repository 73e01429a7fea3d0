package dev.marketdata.pipeline;

/**
 * The newer-than rule: the one place it is written down, in Java for this process's own checks and in Lua
 * for the check inside Redis that every gateway writing the same keys shares.
 *
 * <p>A tick replaces the stored one of its symbol and stream kind when its sequence is higher. A lower
 * sequence is out-of-order delivery and is refused, but only for a bounded time: once the stored tick was
 * received {@code tick.sequence-reset-after} or longer before the new one, the lower sequence is taken as a
 * reset (a venue restart, a sequence that went backwards, or a bogus sequence stored earlier) and stored.
 * Without that bound one bad frame would freeze a symbol until its key expired or forever.
 *
 * <p>A guard that no gateway could have written (not a canonical number, a receive time missing, a key of
 * another type) is replaced. A receive time ahead of the writer's clock (another gateway's clock runs ahead,
 * or a forged one) is set to now at the first refusal, so it cannot stretch the bound either: a foreign or
 * damaged Redis never holds a symbol for longer than the bound.
 */
public final class NewestWins {

    /** What the rule says of an incoming tick against the stored one. */
    public enum Verdict {
        /** Higher sequence: stored. */
        NEWER,
        /** Lower sequence, but the stored tick is older than the reset bound: stored as a sequence reset. */
        RESET,
        /** The stored guard is not one a gateway writes: replaced. */
        UNREADABLE_GUARD,
        /** The same sequence: a duplicate (two connections, two gateways); not stored. */
        DUPLICATE,
        /** Lower sequence within the reset bound: out of order; not stored. */
        OLDER;

        public boolean stores() {
            return this == NEWER || this == RESET || this == UNREADABLE_GUARD;
        }

        /** The script's return value for this verdict. */
        long code() {
            return switch (this) {
                case NEWER -> 1;
                case RESET -> 2;
                case UNREADABLE_GUARD -> 3;
                case DUPLICATE -> 0;
                case OLDER -> -1;
            };
        }

        static Verdict ofCode(long code) {
            for (Verdict v : values()) {
                if (v.code() == code) {
                    return v;
                }
            }
            throw new IllegalArgumentException("unknown guard verdict " + code);
        }
    }

    /**
     * KEYS: latest, guard. ARGV: stream kind, sequence, json, ttl seconds, received at (ms), reset-after (ms),
     * now (ms, the writer's clock). The guard hash keeps per stream kind the sequence and, under
     * {@code <kind>@}, the receive time of the stored tick. Sequences are compared as decimal strings (length
     * first), so values beyond 2^53 are exact in Lua too. Returns the {@link Verdict} code.
     */
    public static final String SCRIPT = """
            local function above(a, b)
              if #a ~= #b then return #a > #b end
              return a > b
            end
            local function canonical(n, digits)
              return type(n) == 'string' and #n <= digits and (n == '0' or string.match(n, '^[1-9]%d*$') ~= nil)
            end
            local verdict = 1
            local kind = redis.call('TYPE', KEYS[2]).ok
            if kind ~= 'none' and kind ~= 'hash' then
              redis.call('DEL', KEYS[2])
              verdict = 3
            elseif kind == 'hash' then
              local stored = redis.call('HMGET', KEYS[2], ARGV[1], ARGV[1] .. '@')
              local last, lastAt = stored[1], stored[2]
              if last then
                if not canonical(last, 19) or not canonical(lastAt, 15) then
                  verdict = 3
                elseif above(ARGV[2], last) then
                  verdict = 1
                elseif ARGV[2] == last then
                  return 0
                elseif tonumber(ARGV[5]) - tonumber(lastAt) >= tonumber(ARGV[6]) then
                  verdict = 2
                else
                  if tonumber(lastAt) > tonumber(ARGV[7]) then
                    -- From the future: counts from now on, so the bound runs from the first refusal.
                    redis.call('HSET', KEYS[2], ARGV[1] .. '@', ARGV[7])
                  end
                  return -1
                end
              end
            end
            redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4])
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[2], ARGV[1] .. '@', ARGV[5])
            redis.call('EXPIRE', KEYS[2], ARGV[4])
            return verdict
            """;

    private NewestWins() {
    }

    /**
     * The rule for a sequence received at {@code receivedAt} against one stored that was received at
     * {@code storedAt}. A caller holding a stored time after {@code receivedAt} (a clock stepped back) sets it
     * to {@code receivedAt}, as the script does, so that the bound runs from the first refusal.
     */
    public static Verdict judge(long sequence, long receivedAt, long storedSequence, long storedAt, long resetAfterMillis) {
        if (sequence > storedSequence) {
            return Verdict.NEWER;
        }
        if (sequence == storedSequence) {
            return Verdict.DUPLICATE;
        }
        return receivedAt - storedAt >= resetAfterMillis ? Verdict.RESET : Verdict.OLDER;
    }
}
