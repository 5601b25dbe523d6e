"""What a workload needs to exist before it runs (topics, buckets, queues, databases), and the step creating it.

Scripts are text, so "created by a step" is recognised simply, by name: a step's text is its containers'
commands, args and literal env values plus the data of the ConfigMaps it mounts (its scripts); a name is
*mentioned* when it occurs there as a whole word (not inside a longer dotted or dashed name).

- Topics: created when a step whose text runs `kafka-topics` with `--create` mentions the topic,
  or a KafkaTopic object has it as spec.topicName (else metadata.name). A topic needs no step when a broker
  of the overlay auto-creates topics: a container serving a `kafka` protocol port whose
  KAFKA_AUTO_CREATE_TOPICS_ENABLE (the apache/kafka image's spelling of auto.create.topics.enable) is
  "true" or unset (Kafka's default is true), in a workload that is not a Job (a Job of the broker image
  is a client), or a Strimzi Kafka object whose spec.kafka.config does not set auto.create.topics.enable
  to false. An overlay with no broker at all (an external Kafka) is not judged.
- Buckets: created when a step whose text runs `mc mb`, `create-bucket` or `s3 mb` mentions the
  bucket, when an ObjectBucketClaim has it as spec.bucketName, or when the variable naming the bucket comes
  from the ConfigMap of an ObjectBucketClaim (key BUCKET_NAME), which the claim's provisioner writes.
- Queues: a worker is a container whose contract mode has `celery.consumes_arg`; its queues are the
  comma-separated word after that argument (attached, `-Qa,b`, or `--queues=a,b`), with $VAR expanded from
  its env; without the argument it consumes Celery's default queue `celery`. When a worker's queues cannot
  be resolved, queues are not judged.
- Databases: for each database pod the workload uses (rosgit.k8s.syncorder's `uses`, plus the
  traffic matrix), a role or database is created when the database pod's own text mentions it (the
  image's POSTGRESQL_USER/DATABASE env, its init scripts; they run before the server accepts
  connections), or a Job that uses the same database and syncs at an earlier (phase, wave) than the workload
  mentions it. An extension needs the same, in a text that also says CREATE EXTENSION (any case), but only
  when the contract says a superuser must create it: a trusted extension (`superuser: false`) the program
  creates itself with the CREATE privilege its role holds on its own database. A name taken from an env
  variable whose value the overlay does not show is not judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from rosgit import ids
from rosgit.findings import Finding
from rosgit.k8s.meta import as_map, name_of
from rosgit.k8s.podspec import PodTemplate
from rosgit.k8s.syncorder import is_database, position_of
from rosgit.lint.context import LintContext
from rosgit.lint.contract_view import Overlay, Running, mentions, overlay_of, overlay_runnings
from rosgit.lint.objects import Obj, by_kind
from rosgit.lint.ordering import overlay_uses
from rosgit.lint.shared import per_objects

AUTO_CREATE_ENV = "KAFKA_AUTO_CREATE_TOPICS_ENABLE"
AUTO_CREATE_SETTING = "auto.create.topics.enable"
DEFAULT_QUEUE = "celery"
_BUCKET_COMMANDS = re.compile(r"\bmc\s+mb\b|create-bucket|\bs3\s+mb\b")
_CREATE_EXTENSION = re.compile(r"create\s+extension", re.IGNORECASE)


def _is_broker(running: Running) -> bool:
    """A long-running pod serving Kafka (a Job of the same image is a client, e.g. the topic creator)."""
    if running.template.kind in ("Job", "CronJob") or running.mode is None:
        return False
    return any(serve.protocol == "kafka" for serve in running.mode.serves)


def auto_creates_topics(overlay: Overlay, all_running: list[Running]) -> bool | None:
    """True when a broker auto-creates topics, False when the brokers do not, None without a broker."""
    verdicts: list[bool] = []
    for running in filter(_is_broker, all_running):
        value = running.env.values.get(AUTO_CREATE_ENV, "true")
        verdicts.append(value is None or value.strip().lower() == "true")
    for kafka in by_kind(overlay.objects, "Kafka"):
        config = as_map(as_map(as_map(kafka.get("spec")).get("kafka")).get("config"))
        verdicts.append(str(config.get(AUTO_CREATE_SETTING, "true")).lower() == "true")
    return any(verdicts) if verdicts else None


def created_topics(overlay: Overlay, topic: str) -> bool:
    for kafka_topic in by_kind(overlay.objects, "KafkaTopic"):
        if str(as_map(kafka_topic.get("spec")).get("topicName") or name_of(kafka_topic)) == topic:
            return True
    for template in overlay.templates:
        text = overlay.step_text(template)
        if "kafka-topics" in text and "--create" in text and mentions(text, topic):
            return True
    return False


def _first_of_each(found: Iterator[tuple[str, Running, Finding]]) -> Iterator[Finding]:
    """One finding per missing name, on the first workload (by object) needing it: the step is missing
    once, however many workloads of an image need it."""
    by_name: dict[str, list[tuple[str, Finding]]] = {}
    for name, running, finding in found:
        by_name.setdefault(name, []).append((running.template.ref, finding))
    for name in sorted(by_name):
        entries = sorted(by_name[name], key=lambda entry: entry[0])
        first = entries[0][1]
        others = len({ref for ref, _ in entries}) - 1
        also = f" (also needed by {others} other workload(s))" if others else ""
        yield replace(first, message=first.message + also)


def _topic_findings(overlay: Overlay, all_running: list[Running], context: LintContext) -> Iterator[Finding]:
    if auto_creates_topics(overlay, all_running) is not False:
        return
    yield from _first_of_each(_missing_topics(overlay, all_running, context))


def _missing_topics(
    overlay: Overlay, all_running: list[Running], context: LintContext
) -> Iterator[tuple[str, Running, Finding]]:
    for running in all_running:
        if running.mode is None:
            continue
        kafka = running.mode.kafka
        for verb, topics in (("produces", kafka.produces), ("consumes", kafka.consumes)):
            for fact in topics:
                name = running.env.known(fact.env) if fact.env and fact.env in running.env.values else fact.topic
                if name is None or created_topics(overlay, name):
                    continue
                yield name, running, running.finding(
                    context, ids.CON008, f"container {running.name} topic {name}",
                    f"{verb} topic {name}, which no step creates and the broker does not auto-create",
                    f"{verb} {fact.topic}" + (f" (named by {fact.env})" if fact.env else ""), fact.source,
                    "add the topic to the topic-creating Job (or a KafkaTopic)",
                )


def _bucket_created(overlay: Overlay, running: Running, env: str | None, name: str) -> bool:
    claims = {name_of(claim): claim for claim in by_kind(overlay.objects, "ObjectBucketClaim")}
    if any(str(as_map(claim.get("spec")).get("bucketName")) == name for claim in claims.values()):
        return True
    reference = running.env.refs.get(env or "")
    if reference and reference[1] in claims and reference[2] == "BUCKET_NAME":
        return True
    return any(mentions(text, name) for text in _bucket_steps(overlay.objects))


@per_objects
def _bucket_steps(objects: list[Obj]) -> list[str]:
    """The texts of the steps that run a bucket-creating command (asked for every bucket of every workload)."""
    overlay = overlay_of(objects)
    texts = (overlay.step_text(template) for template in overlay.templates)
    return [text for text in texts if _BUCKET_COMMANDS.search(text)]


def _bucket_findings(overlay: Overlay, all_running: list[Running], context: LintContext) -> Iterator[Finding]:
    for running in all_running:
        for fact in running.mode.buckets if running.mode else []:
            from_env = fact.env is not None and fact.env in running.env.values
            name = running.env.known(fact.env) if from_env else fact.default
            reference = running.env.refs.get(fact.env or "")
            if name is None and reference is None:
                continue
            if _bucket_created(overlay, running, fact.env, name or ""):
                continue
            shown = name or f"from ConfigMap {reference[1] if reference else '?'}"
            yield running.finding(
                context, ids.CON009, f"container {running.name} bucket {shown}",
                f"uses bucket {shown}, which no step creates",
                f"bucket from {fact.env or 'its default'}" + (f" (default {fact.default})" if fact.default else ""),
                fact.source, "create it in the bucket Job (Kubernetes) or with an ObjectBucketClaim (OpenShift)",
            )


def consumed_queues(running: Running) -> set[str] | None:
    """The queues a Celery worker consumes, or None when its command line cannot be resolved."""
    argument = running.mode.celery.consumes_arg if running.mode else None
    if not argument:
        return set()
    words = running.command_line.split()
    value: str | None = None
    for index, word in enumerate(words):
        if word == argument and index + 1 < len(words):
            value = words[index + 1]
        elif word.startswith(argument + "=") or (argument.startswith("-") and not argument.startswith("--")
                                                and word.startswith(argument) and word != argument):
            value = word[len(argument):].lstrip("=")
    if value is None:
        return {DEFAULT_QUEUE}
    expanded = running.env.expand(value.strip("'\""))
    return None if expanded is None else {q.strip() for q in expanded.split(",") if q.strip()}


def _queue_findings(all_running: list[Running], context: LintContext) -> Iterator[Finding]:
    consumed: set[str] = set()
    for running in all_running:
        if running.mode and running.mode.celery.consumes_arg:
            queues = consumed_queues(running)
            if queues is None:
                return
            consumed |= queues
    yield from _first_of_each(
        (route.queue, running, running.finding(
            context, ids.CON010, f"container {running.name} Celery queue {route.queue}",
            f"routes tasks to queue {route.queue}, which no worker of the overlay consumes",
            f"routes to {route.queue}", route.source, f"run a worker with {route.queue} in its queues",
        ))
        for running in all_running
        for route in (running.mode.celery.routes if running.mode else [])
        if route.queue not in consumed
    )


def _creators(overlay: Overlay, user: PodTemplate, database: PodTemplate, graph: dict[str, set[str]]) -> list[str]:
    """The texts of the steps that run before `user` can reach `database`: the database pod's own, and those
    of Jobs using it at an earlier (phase, wave)."""
    texts = [overlay.step_text(database)]
    mine = position_of(user.owner)
    for job in overlay.templates:
        if job.kind != "Job" or job.ref == user.ref or database.workload not in graph.get(job.workload, set()):
            continue
        made = position_of(job.owner)
        if made is not None and mine is not None and made.barrier < mine.barrier:
            texts.append(overlay.step_text(job))
    return texts


def _database_findings(overlay: Overlay, all_running: list[Running], context: LintContext) -> Iterator[Finding]:
    wanted = [r for r in all_running if r.mode and (r.mode.database.extensions or r.mode.database.roles
                                                    or r.mode.database.databases)]
    if not wanted:
        return
    graph = overlay_uses(overlay.objects, context)
    databases = {t.workload: t for t in overlay.templates if is_database(t)}
    for running in wanted:
        facts = running.mode.database if running.mode else None
        if facts is None:
            continue
        for used in sorted(graph.get(running.template.workload, set()) & set(databases)):
            texts = _creators(overlay, running.template, databases[used], graph)
            needs: list[tuple[str, str, str, bool]] = []  # (what, name, source, is extension)
            for role in facts.roles:
                needs.append(("role", running.env.known(role.user_env) or "", role.source, False))
            for fact in facts.databases:
                needs.append(("database", running.env.known(fact.name_env) or "", fact.source, False))
            for extension in facts.extensions:
                if extension.superuser:
                    needs.append(("extension", extension.name, extension.source, True))
            for what, name, source, is_extension in needs:
                if not name or any(
                    mentions(text, name) and (not is_extension or _CREATE_EXTENSION.search(text)) for text in texts
                ):
                    continue
                yield running.finding(
                    context, ids.CON011, f"container {running.name} {what} {name} (database pod {used})",
                    f"needs {what} {name}, which no step creates before it runs",
                    f"needs {what} {name}", source,
                    f"create it in {used}'s init scripts or a Job in an earlier sync wave",
                )


def check_steps(objects: list[Obj], context: LintContext) -> list[Finding]:
    """Each topic, bucket, queue and database object the overlay's programs need, against the steps creating it."""
    overlay = overlay_of(objects)
    all_running = overlay_runnings(objects, context)
    return [
        *_topic_findings(overlay, all_running, context),
        *_bucket_findings(overlay, all_running, context),
        *_queue_findings(all_running, context),
        *_database_findings(overlay, all_running, context),
    ]
