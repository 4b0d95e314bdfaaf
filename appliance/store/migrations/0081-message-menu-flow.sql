-- Call flows (issue 15): every campaign made before flows gets its call as a flow, the `message-menu`
-- template built from its own message, keypad menu and menu prompt (the same keys, timings and outcomes
-- as the one-procedure script it replaces; appliance/flows/templates.ts builds the same JSON).
WITH m AS (
  SELECT id,
    NULLIF(json_extract(config, '$.menu.confirm'), '') AS c,
    NULLIF(json_extract(config, '$.menu.repeat'), '') AS r,
    NULLIF(json_extract(config, '$.menu.optOut'), '') AS o,
    json_extract(config, '$.menuPrompt') AS p
  FROM campaigns WHERE json_type(config, '$.flow') IS NULL
),
f AS (
  SELECT id, c, r, o, json_array(
    json('{"id":"message","verb":"play","prompt":{"message":true},"next":"menu"}'),
    json_patch(
      json_object('id', 'menu', 'verb', 'menu',
        'options', json_patch(CASE WHEN c IS NULL THEN '{}' ELSE json_object(c, 'confirmed') END, CASE WHEN r IS NULL THEN '{}' ELSE json_object(r, 'repeat') END),
        'timeoutMs', 5000, 'tries', 1, 'noInput', 'end', 'invalid', 'end'),
      CASE WHEN p IS NULL THEN '{}' ELSE json_object('prompt', json_object('recording', p)) END),
    json('{"id":"repeat","verb":"goto","target":"message","max":2,"else":"end"}'),
    json('{"id":"confirmed","verb":"hangup","outcome":"confirmed"}'),
    json('{"id":"end","verb":"hangup"}')
  ) AS steps FROM m
)
UPDATE campaigns SET config = json_set(config, '$.flow', (
  SELECT CASE
    WHEN c IS NULL AND r IS NULL AND o IS NULL THEN json('{"version":1,"template":"message-menu","steps":[{"id":"message","verb":"play","prompt":{"message":true},"bargeIn":false}]}')
    ELSE json_object('version', 1, 'template', 'message-menu', 'steps', CASE
      WHEN c IS NULL AND r IS NULL THEN json_remove(json(steps), '$[3]', '$[2]')
      WHEN c IS NULL THEN json_remove(json(steps), '$[3]')
      WHEN r IS NULL THEN json_remove(json(steps), '$[2]')
      ELSE json(steps) END)
  END FROM f WHERE f.id = campaigns.id))
WHERE id IN (SELECT id FROM m);
