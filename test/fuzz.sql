-- test/fuzz.sql -- a randomized SQL driver for the C parsers: fuzz.inputs
-- random inputs (mutations of the accepted words, random printable and
-- multibyte strings, control characters) through the rating and
-- review_status input functions, and a tenth as many random JSON bodies and
-- reason lists through patch, update and put_conversation_feedback.
--
-- The run fails (an error, so psql exits non-zero with ON_ERROR_STOP) when:
--   - a parser's answer differs from the contract's word lists (an input
--     accepted that the contract rejects, rejected that it accepts, or read
--     as the wrong value), or it rejects with another SQLSTATE than 22P02;
--   - a call fails with an undocumented SQLSTATE, or accepts a body with a
--     key the contract does not allow it;
--   - fewer than fuzz.min_accepted (default 1%) of the inputs of any target
--     (rating, review_status, patch, update, put) were accepted, or not
--     every input was accounted for;
--   - afterwards, verify_review_groups finds the fuzzed tenant's review
--     queue differing from its recomputation.
-- A crash fails it too.  It ends with the line "fuzz: ok".
\set ON_ERROR_STOP on
CREATE EXTENSION IF NOT EXISTS feedback CASCADE;
SELECT setseed(:seed);
SELECT count(*) > 0 AS setup FROM (VALUES
    (feedback.put_user('00000000-0000-0000-0000-0000000000a1', 'fuzz@example.com')),
    (feedback.put_user('00000000-0000-0000-0000-0000000000e1', 'fuzz-reviewer@example.com')),
    (feedback.put_member('7e000000-0000-0000-0000-00000000f022', '00000000-0000-0000-0000-0000000000a1')),
    (feedback.put_member('7e000000-0000-0000-0000-00000000f022', '00000000-0000-0000-0000-0000000000e1', 'reviewer')),
    (feedback.put_conversation('7e000000-0000-0000-0000-00000000f022', 'c0000000-0000-0000-0000-000000000001')),
    (feedback.put_message('7e000000-0000-0000-0000-00000000f022', 'a0000000-0000-0000-0000-000000000001',
                          'c0000000-0000-0000-0000-000000000001', 'assistant', 'answer'))) AS s(x);

CREATE FUNCTION pg_temp.random_text(n int) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(CASE floor(random() * 10)::int
                          WHEN 0 THEN chr(1 + floor(random() * 31)::int)            -- control characters
                          WHEN 1 THEN chr(160 + floor(random() * 2000)::int)        -- 2-byte UTF-8
                          WHEN 2 THEN chr(19968 + floor(random() * 20000)::int)     -- CJK, 3 bytes
                          WHEN 3 THEN chr(128512 + floor(random() * 80)::int)       -- emoji, 4 bytes
                          WHEN 4 THEN (ARRAY['%', '_', '\', '"', '''', '{', '}', '[', ']', ' '])[1 + floor(random() * 10)::int]
                          ELSE chr(32 + floor(random() * 95)::int) END, '')
      FROM generate_series(1, n)
$$;

CREATE FUNCTION pg_temp.mutate(word text) RETURNS text LANGUAGE sql AS $$
    SELECT CASE floor(random() * 6)::int
               WHEN 0 THEN upper(word)
               WHEN 1 THEN E' \t' || word || E'\n '
               WHEN 2 THEN left(word, floor(random() * length(word))::int)
               WHEN 3 THEN word || pg_temp.random_text(1)
               WHEN 4 THEN overlay(word placing pg_temp.random_text(1) from 1 + floor(random() * length(word))::int for 1)
               ELSE word END
$$;

-- The contract's reading of an input: the value it names, or NULL where it
-- must be rejected.  Words are matched ignoring ASCII case and surrounding
-- white space (space, tab, newline, carriage return, form feed).
CREATE FUNCTION pg_temp.contract_word(input text) RETURNS text LANGUAGE sql AS $$
    SELECT translate(btrim(input, E' \t\n\r\f'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
$$;
CREATE FUNCTION pg_temp.contract_rating(input text) RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN w IN ('positive', 'thumbs_up', 'up', 'like', '+1', 'true', '👍') THEN 'positive'
                WHEN w IN ('negative', 'thumbs_down', 'down', 'dislike', '-1', 'false', '👎') THEN 'negative' END
      FROM pg_temp.contract_word(input) AS w
$$;
CREATE FUNCTION pg_temp.contract_status(input text) RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN w IN ('to_review', 'pending') THEN 'to_review'
                WHEN w IN ('auto_approved', 'reviewed', 'dismissed') THEN w END
      FROM pg_temp.contract_word(input) AS w
$$;

CREATE TEMP TABLE fuzz_outcomes (driver text, target text, outcome text, n bigint);

DO $$
DECLARE
    words text[] := ARRAY['positive', 'negative', 'thumbs_up', 'thumbs_down', 'up', 'down', 'like', 'dislike', '+1', '-1',
                          'true', 'false', '👍', '👎', 'to_review', 'auto_approved', 'reviewed', 'dismissed', 'pending'];
    inputs int := current_setting('fuzz.inputs')::int;
    input text;
    r text;
    expected text;
    counts jsonb := '{}';
    target text;
    outcome text;
BEGIN
    FOR i IN 1..inputs LOOP
        input := CASE WHEN random() < 0.6 THEN pg_temp.mutate(words[1 + floor(random() * 19)::int])
                      ELSE pg_temp.random_text(floor(random() * 40)::int) END;
        target := CASE WHEN i % 2 = 0 THEN 'rating' ELSE 'review_status' END;
        BEGIN
            IF target = 'rating' THEN
                expected := pg_temp.contract_rating(input);
                r := input::feedback.rating::text;
            ELSE
                expected := pg_temp.contract_status(input);
                r := input::feedback.review_status::text;
            END IF;
            outcome := 'accepted';
        EXCEPTION WHEN invalid_text_representation THEN
            r := NULL;
            outcome := '22P02';
        END;
        IF r IS DISTINCT FROM expected THEN
            RAISE EXCEPTION 'contract violation: % input % read as %, the contract says %',
                target, to_json(input), COALESCE(r, 'an error (22P02)'), COALESCE(expected, 'an error (22P02)');
        END IF;
        counts := jsonb_set(counts, ARRAY[target || ' ' || outcome],
                            to_jsonb(COALESCE((counts->>(target || ' ' || outcome))::bigint, 0) + 1));
    END LOOP;
    INSERT INTO fuzz_outcomes
    SELECT 'parser', split_part(e.k, ' ', 1), split_part(e.k, ' ', 2), e.c::bigint FROM jsonb_each_text(counts) AS e(k, c);
END
$$;

DO $$
DECLARE
    inputs int := current_setting('fuzz.inputs')::int / 10;
    keys text[] := ARRAY['rating', 'is_positive', 'reaction', 'comment', 'feedback', 'reasons', 'kind', 'status', 'stars'];
    -- the keys the contract allows each call (put_conversation_feedback
    -- names no others to refuse)
    allowed jsonb := '{"patch": ["rating", "is_positive", "reaction", "comment", "feedback", "reasons", "kind"],
                       "update": ["status", "rating", "is_positive", "reaction", "comment", "feedback", "reasons"]}';
    body jsonb;
    fid uuid;
    counts jsonb := '{}';
    target text;
    outcome text;
    v jsonb;
BEGIN
    PERFORM set_config('feedback.user_id', '00000000-0000-0000-0000-0000000000a1', true);
    SELECT (feedback.submit('7e000000-0000-0000-0000-00000000f022', 'a0000000-0000-0000-0000-000000000001', 'up') ->> 'id')::uuid
      INTO fid;
    FOR i IN 1..inputs LOOP
        target := (ARRAY['patch', 'update', 'put'])[1 + i % 3];
        -- put_conversation_feedback needs a rating or a comment: half its
        -- bodies start with one
        body := CASE WHEN target <> 'put' OR random() < 0.5 THEN '{}'
                     WHEN random() < 0.5 THEN jsonb_build_object('rating', (ARRAY['POSITIVE', 'NEGATIVE', NULL])[1 + floor(random() * 3)::int])
                     ELSE jsonb_build_object('comment', pg_temp.random_text(floor(random() * 30)::int)) END;
        FOR k IN 1..floor(random() * 4)::int LOOP
            v := CASE floor(random() * 7)::int
                     WHEN 0 THEN 'null'::jsonb
                     WHEN 1 THEN to_jsonb(random() < 0.5)
                     WHEN 2 THEN to_jsonb(floor(random() * 100))
                     WHEN 3 THEN to_jsonb(pg_temp.mutate((ARRAY['POSITIVE', 'thumbs_down', 'reviewed', 'up'])[1 + floor(random() * 4)::int]))
                     WHEN 4 THEN (SELECT jsonb_agg(pg_temp.random_text(floor(random() * 70)::int)) FROM generate_series(0, floor(random() * 20)::int))
                     WHEN 5 THEN jsonb_build_object('x', pg_temp.random_text(3))
                     ELSE to_jsonb(pg_temp.random_text(floor(random() * 2100 * random())::int)) END;
            body := body || jsonb_build_object(keys[1 + floor(random() * 9)::int], v);
        END LOOP;
        BEGIN
            PERFORM set_config('feedback.user_id', CASE WHEN target = 'update' THEN '00000000-0000-0000-0000-0000000000e1'
                                                        ELSE '00000000-0000-0000-0000-0000000000a1' END, true);
            IF target = 'patch' THEN
                PERFORM feedback.patch('7e000000-0000-0000-0000-00000000f022', fid, body);
            ELSIF target = 'update' THEN
                PERFORM feedback.update('7e000000-0000-0000-0000-00000000f022', fid, body);
            ELSE
                PERFORM feedback.put_conversation_feedback('7e000000-0000-0000-0000-00000000f022',
                                                           'c0000000-0000-0000-0000-000000000001', body);
                fid := (feedback.submit('7e000000-0000-0000-0000-00000000f022', 'a0000000-0000-0000-0000-000000000001',
                                        'up') ->> 'id')::uuid;
            END IF;
            outcome := 'accepted';
        EXCEPTION WHEN OTHERS THEN
            IF SQLSTATE NOT IN ('22P02', '22023', '22001', 'PT404', 'PT409') THEN
                RAISE EXCEPTION 'undocumented error % (%) for % %', SQLSTATE, SQLERRM, target, body;
            END IF;
            outcome := SQLSTATE;
        END;
        IF outcome = 'accepted' AND allowed ? target
           AND EXISTS (SELECT FROM jsonb_object_keys(body) AS k WHERE NOT (allowed -> target) ? k) THEN
            RAISE EXCEPTION 'contract violation: % accepted a key it does not allow: %', target, body;
        END IF;
        counts := jsonb_set(counts, ARRAY[target || ' ' || outcome],
                            to_jsonb(COALESCE((counts->>(target || ' ' || outcome))::bigint, 0) + 1));
    END LOOP;
    INSERT INTO fuzz_outcomes
    SELECT 'bodies', split_part(e.k, ' ', 1), split_part(e.k, ' ', 2), e.c::bigint FROM jsonb_each_text(counts) AS e(k, c);
END
$$;

SELECT driver, target, outcome, n AS inputs FROM fuzz_outcomes ORDER BY 1, 2, 3;

-- The verdict: every input accounted for, enough of each target accepted,
-- and the review queue of the fuzzed tenant as its recomputation.  Every
-- problem found is named in one error.
DO $$
DECLARE
    inputs int := current_setting('fuzz.inputs')::int;
    min_share float8 := COALESCE(NULLIF(current_setting('fuzz.min_accepted', true), ''), '0.01')::float8;
    queue jsonb := feedback.verify_review_groups('7e000000-0000-0000-0000-00000000f022');
    problems text[] := '{}';
    t record;
BEGIN
    FOR t IN SELECT x.driver, x.expected, COALESCE(sum(o.n), 0) AS seen
               FROM (VALUES ('parser', inputs), ('bodies', inputs / 10)) AS x(driver, expected)
               LEFT JOIN fuzz_outcomes o ON o.driver = x.driver
              GROUP BY 1, 2 LOOP
        IF t.seen <> t.expected THEN
            problems := problems || format('%s: %s inputs accounted for, not %s', t.driver, t.seen, t.expected);
        END IF;
    END LOOP;
    FOR t IN SELECT x.target,
                    COALESCE(sum(o.n) FILTER (WHERE o.outcome = 'accepted'), 0) AS accepted,
                    COALESCE(sum(o.n), 0) AS total
               FROM unnest(ARRAY['rating', 'review_status', 'patch', 'update', 'put']) AS x(target)
               LEFT JOIN fuzz_outcomes o ON o.target = x.target
              GROUP BY x.target ORDER BY x.target LOOP
        IF t.total = 0 OR t.accepted = 0 OR t.accepted < min_share * t.total THEN
            problems := problems || format('%s accepted %s of %s inputs (at least %s%% must be)',
                                           t.target, t.accepted, t.total, min_share * 100);
        END IF;
    END LOOP;
    IF queue IS DISTINCT FROM '[]'::jsonb THEN
        problems := problems || format('verify_review_groups finds the fuzzed tenant''s queue differing from its recomputation: %s',
                                       left(queue::text, 1000));
    END IF;
    IF cardinality(problems) > 0 THEN
        RAISE EXCEPTION 'fuzz failed: %', array_to_string(problems, '; ');
    END IF;
END
$$;
SELECT 'fuzz: ok' AS verdict;
