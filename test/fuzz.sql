-- test/fuzz.sql -- a randomized SQL driver for the C parsers: :inputs random
-- inputs (mutations of the accepted words, random printable and multibyte
-- strings, control characters) through the rating and review_status input
-- functions, and a tenth as many random JSON bodies and reason lists
-- through patch, update and put_conversation_feedback.  Any error but a
-- documented SQLSTATE fails the run; so would a crash.
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

CREATE TEMP TABLE fuzz_outcomes (target text, outcome text, n bigint);

DO $$
DECLARE
    words text[] := ARRAY['positive', 'negative', 'thumbs_up', 'thumbs_down', 'up', 'down', 'like', 'dislike', '+1', '-1',
                          'true', 'false', '👍', '👎', 'to_review', 'auto_approved', 'reviewed', 'dismissed', 'pending'];
    inputs int := current_setting('fuzz.inputs')::int;
    input text;
    r text;
    counts jsonb := '{}';
    key text;
BEGIN
    FOR i IN 1..inputs LOOP
        input := CASE WHEN random() < 0.6 THEN pg_temp.mutate(words[1 + floor(random() * 19)::int])
                      ELSE pg_temp.random_text(floor(random() * 40)::int) END;
        key := CASE WHEN i % 2 = 0 THEN 'rating' ELSE 'review_status' END;
        BEGIN
            IF key = 'rating' THEN
                r := input::feedback.rating::text;
                IF r NOT IN ('positive', 'negative') THEN RAISE EXCEPTION 'rating % from %', r, input; END IF;
            ELSE
                r := input::feedback.review_status::text;
                IF r NOT IN ('to_review', 'auto_approved', 'reviewed', 'dismissed') THEN
                    RAISE EXCEPTION 'status % from %', r, input;
                END IF;
            END IF;
            key := key || ' accepted';
        EXCEPTION WHEN invalid_text_representation THEN
            key := key || ' 22P02';
        END;
        counts := jsonb_set(counts, ARRAY[key], to_jsonb(COALESCE((counts->>key)::bigint, 0) + 1));
    END LOOP;
    INSERT INTO fuzz_outcomes SELECT e.k, 'parser', e.c::bigint FROM jsonb_each_text(counts) AS e(k, c);
END
$$;

DO $$
DECLARE
    inputs int := current_setting('fuzz.inputs')::int / 10;
    keys text[] := ARRAY['rating', 'is_positive', 'reaction', 'comment', 'feedback', 'reasons', 'kind', 'status', 'stars'];
    body jsonb;
    fid uuid;
    counts jsonb := '{}';
    key text;
    v jsonb;
BEGIN
    PERFORM set_config('feedback.user_id', '00000000-0000-0000-0000-0000000000a1', true);
    SELECT (feedback.submit('7e000000-0000-0000-0000-00000000f022', 'a0000000-0000-0000-0000-000000000001', 'up') ->> 'id')::uuid
      INTO fid;
    FOR i IN 1..inputs LOOP
        body := '{}';
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
        key := (ARRAY['patch', 'update', 'put'])[1 + i % 3];
        BEGIN
            PERFORM set_config('feedback.user_id', CASE WHEN key = 'update' THEN '00000000-0000-0000-0000-0000000000e1'
                                                        ELSE '00000000-0000-0000-0000-0000000000a1' END, true);
            IF key = 'patch' THEN
                PERFORM feedback.patch('7e000000-0000-0000-0000-00000000f022', fid, body);
            ELSIF key = 'update' THEN
                PERFORM feedback.update('7e000000-0000-0000-0000-00000000f022', fid, body);
            ELSE
                PERFORM feedback.put_conversation_feedback('7e000000-0000-0000-0000-00000000f022',
                                                           'c0000000-0000-0000-0000-000000000001', body);
                fid := (feedback.submit('7e000000-0000-0000-0000-00000000f022', 'a0000000-0000-0000-0000-000000000001',
                                        'up') ->> 'id')::uuid;
            END IF;
            key := key || ' accepted';
        EXCEPTION WHEN OTHERS THEN
            IF SQLSTATE NOT IN ('22P02', '22023', '22001', 'PT404', 'PT409') THEN
                RAISE EXCEPTION 'undocumented error % (%) for % %', SQLSTATE, SQLERRM, key, body;
            END IF;
            key := key || ' ' || SQLSTATE;
        END;
        counts := jsonb_set(counts, ARRAY[key], to_jsonb(COALESCE((counts->>key)::bigint, 0) + 1));
    END LOOP;
    INSERT INTO fuzz_outcomes SELECT e.k, 'bodies', e.c::bigint FROM jsonb_each_text(counts) AS e(k, c);
END
$$;

SELECT outcome AS driver, target AS outcome, n AS inputs FROM fuzz_outcomes ORDER BY 1, 2;
SELECT sum(n) AS total_inputs FROM fuzz_outcomes;
SELECT feedback.verify_review_groups('7e000000-0000-0000-0000-00000000f022') AS queue_state;
