"""Layer 07-application: the ECS Fargate cluster and the microservices (one entry each in
`[application.services]`), the ALB with its web ACL, the ECR repositories, the security-group rules
around the tasks, the debug host, the CI role, the services' alarms and the dashboard. Reads
01-network, 02-security, 03-database and 05-cloud-map.

Decisions (see docs/MIGRATION.md and docs/accepted-differences.json):
- The ALB -> ECS ingress rules (8080 and 9090) are this layer's, as deployed. `alb_security_group_id`
  is declared (02-security reads it when `security.alb_integration` is on) and is empty on purpose:
  a non-empty id would make 02-security add a second ALB -> ECS 8080 rule, which AWS rejects as a
  duplicate of `aws_security_group_rule.alb_to_ecs`.
- The tasks read the database settings from the parameters 04-parameter-store creates
  (`<parameter_store.name_root>/<environment>/db/...`); the original read `/petclinic/<environment>/`,
  which nothing creates in dev and seoul.
- The debug host keeps both ages of the deployed state: the module addresses, and the earlier root
  addresses of the same objects through chained moves (`aws_instance.bastion`,
  `aws_security_group.bastion`). The earlier `db_debug` objects have no counterpart of the same
  identity (other names, a private subnet): a move would replace them, so they leave the state
  through `removed` blocks (destroy = false) and are listed for deletion by hand.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from cdktf import Token
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_secretsmanager_secret import DataAwsSecretsmanagerSecret

from layers.base import LayerStack, StateRemoval
from layers.contracts import application, cloud_map, database, network, parameter_store, security
from layers.contracts.application import OUTPUTS
from layers.contracts.notification import alerts_topic_arn
from modules.alarms import AlarmThresholds
from modules.alb import Alb, AlbProps
from modules.alb_alias import AlbAlias, AlbAliasProps
from modules.alb_certificate import AlbCertificate, AlbCertificateProps
from modules.application_dashboard import ApplicationDashboard, DashboardProps, DashboardService
from modules.debug_hosts import DebugHost, DebugHostProps
from modules.delivery_role import DeliveryRole, DeliveryRoleProps
from modules.ecs_cluster import Cluster, ClusterProps
from modules.ecs_service import (
    EcsServiceProps,
    MicroService,
    Secret,
    ServiceContainer,
    ServicePlacement,
    ServiceRouting,
    ServiceSizing,
)
from modules.origin import Origin
from modules.task_role import TaskRole, TaskRoleProps
from modules.task_rules import TaskRules, TaskRulesProps, TaskRuleSpec
from modules.web_acl import AlbWebAcl, WebAclProps


# Part names of the constructs -> resource names in the original code, where they differ.
SERVICE_NAMES = {"logs": "services", "task": "services", "target_group": "services", "route": "services",
                 "service": "services", "scaling": "services", "cpu_scaling": "cpu_scaling",
                 "errors_5xx": "alb_5xx_errors"}
MONITORING_NAMES = {"cpu_high": "ecs_cpu_high", "memory_high": "ecs_memory_high",
                    "running_tasks_low": "ecs_running_tasks_low", "unhealthy_hosts": "alb_unhealthy_hosts",
                    "response_time_high": "alb_response_time_high"}
ECR_NAMES = {"repository": "this", "policy": "this", "lifecycle": "this"}
ALB_NAMES = {"sg": "alb", "http_ipv4": "alb_http_ipv4", "https_ipv4": "alb_https_ipv4", "http_ipv6": "alb_http_ipv6",
             "https_ipv6": "alb_https_ipv6", "all_out": "alb_all_out", "load_balancer": "this",
             "default_target_group": "default", "http": "http_forward"}
WAF_NAMES = {"web_acl": "alb_rate_limit", "association": "alb"}
WAF_ALARM_NAMES = {"blocked_requests_alarm": "waf_blocked_requests", "rate_rule_alarm": "waf_rate_limit_alarms"}
DEBUG_NAMES = {"sg": "bastion", "aurora_access": "aurora_allow_bastion", "role": "bastion",
               "secrets_policy": "bastion_secrets", "ssm": "bastion_ssm", "secrets": "bastion_secrets",
               "params": "bastion_params", "profile": "bastion", "instance": "bastion"}
# The same bastion objects at the root of the original, before it moved them into
# module.debug_infrastructure (without moved blocks).
DEBUG_EARLIER = {"instance": ("aws_instance.bastion",), "sg": ("aws_security_group.bastion",)}
# The earlier private `db_debug` host and its IAM and network pieces: no resource of this layer has
# their identity, so they are forgotten (not destroyed) when a state still holds them.
DB_DEBUG_LEFTOVERS = (
    "aws_instance.db_debug", "aws_security_group.db_debug", "aws_security_group_rule.aurora_allow_db_debug",
    "aws_iam_role.db_debug", "aws_iam_instance_profile.db_debug", "aws_iam_role_policy.db_debug_secrets",
    "aws_iam_role_policy_attachment.db_debug_params", "aws_iam_role_policy_attachment.db_debug_secrets",
    "aws_iam_role_policy_attachment.db_debug_ssm",
)
DELIVERY_NAMES = {"role": "github_actions_ecr", "policy": "github_actions_ecr_ecs"}


class ApplicationStack(LayerStack):
    layer = "07-application"
    outputs = OUTPUTS
    deployed_layer_tag = "01-network"

    def build(self) -> None:
        env, app = self.env, self.env.application
        self.net = self.read(network.OUTPUTS, "network")
        self.sec = self.read(security.OUTPUTS, "security")
        self.db = self.read(database.OUTPUTS, "database")
        self.registry = self.read(cloud_map.OUTPUTS, "cloud_map")
        self.alarm_actions = self._alarm_actions()
        self.capacity = {name: (share.base, share.weight) for name, share in app.capacity_providers.items()}
        self.cluster = Cluster(self, "cluster", ClusterProps(
            naming=self.naming, origin=Origin(names={"cluster": "main"}), container_insights=app.container_insights,
            capacity_providers=self.capacity))
        self._edge()
        TaskRules(self, "task_rules", TaskRulesProps(
            origin=Origin(),
            group_ids={"alb": self.alb.security_group_id, "ecs": self.sec.string("ecs_security_group_id"),
                       "aurora": self.sec.string("aurora_security_group_id")},
            rules=self._task_rules()))
        self._services()
        self.debug_host = self._debug_host() if app.debug.enabled else None
        DeliveryRole(self, "delivery", DeliveryRoleProps(
            naming=self.naming, origin=Origin(names=DELIVERY_NAMES), role_name=app.delivery.role_name,
            policy_name=app.delivery.policy_name, repository=app.delivery.repository,
            state_bucket=env.state.bucket, parameter_root=app.delivery.parameter_root))
        ApplicationDashboard(self, "dashboard", DashboardProps(
            naming=self.naming, origin=Origin(names={"dashboard": "application"}), region=env.region,
            cluster_name=self.cluster.name, load_balancer_arn_suffix=self.alb.arn_suffix,
            services=[DashboardService(s.service_name, s.target_group_arn_suffix)
                      for _, s in sorted(self.services.items())]))

    def _alarm_actions(self) -> tuple[str, ...]:
        """The environment's own actions, and 12-notification's alerts topic when the switch asks for it
        (12 is applied after this layer, so its ARN is built from the name, as 10-monitoring does)."""
        env, app = self.env, self.env.application
        if not app.notify_alerts_topic:
            return app.alarm_actions
        topic = alerts_topic_arn(self.naming, env.notification.topic, env.region, self._account_id())
        return tuple(dict.fromkeys((*app.alarm_actions, topic)))

    def _database_secrets(self, key: str) -> tuple[Secret, ...]:
        """What the service's task reads for the database (`application.task_database_reads`, which
        02's narrowed execution role grants): the JDBC URL's parameter, and the master user (its
        parameter and managed secret) or, with `database.service_users`, the service's own secret."""
        reads = application.task_database_reads(self.env, key)
        if reads.username_parameter is not None:   # the master user
            secret = self.db.string("master_user_secret_name")
            user = Secret("SPRING_DATASOURCE_USERNAME", reads.username_parameter)
        else:
            # 03-database creates the secret (empty) and tools/service_db_users.py writes it before this
            # layer is applied: read by name, its ARN carries the suffix Secrets Manager chose.
            secret = DataAwsSecretsmanagerSecret(self, f"{key}_db_secret", name=str(reads.user_secret_name)).arn
            user = Secret("SPRING_DATASOURCE_USERNAME", f"{secret}:username::")
        return (Secret("SPRING_DATASOURCE_URL", reads.url_parameter), user,
                Secret("SPRING_DATASOURCE_PASSWORD", f"{secret}:password::"))

    def _account_id(self) -> str:
        """The account id, from one caller-identity data source made on first use (none as deployed)."""
        if getattr(self, "_identity", None) is None:
            self._identity = DataAwsCallerIdentity(self, "current")
        return self._identity.account_id

    def _task_role(self, key: str) -> str:
        """The service's own task role (design switch `application.task_roles`); else its execution role."""
        env = self.env
        if not env.application.task_roles:
            return self.sec.string("ecs_task_execution_role_arn")
        root = env.parameter_store.name_root
        paths = (f"{root}/{env.environment}/{key}", f"{root}/{env.environment}/db", f"{root}/common")
        return TaskRole(self, f"{key}_task_role", TaskRoleProps(
            naming=self.naming.with_tags(Service=key), service=key, region=env.region,
            account_id=self._account_id(), parameter_paths=paths)).arn

    def _edge(self) -> None:
        """The ALB and its web ACL."""
        env, app, waf = self.env, self.env.application, self.env.application.alb.waf
        alb_names = {**ALB_NAMES, **({"target_health_alarm": "alb_target_health"} if waf.monitoring else {})}
        if not app.alb.ingress_ipv6_any:   # a design switch: the ::/0 rules are not made, so not carried either
            alb_names = {k: v for k, v in alb_names.items() if not k.endswith("_ipv6")}
        if app.design_security_rules:      # a design switch: the ALB sends only to the tasks, not all out
            alb_names = {k: v for k, v in alb_names.items() if k != "all_out"}
        certificate_arn = app.alb.certificate_arn
        if app.alb.domain_name and app.alb.hosted_zone_id:
            certificate_arn = AlbCertificate(self, "alb_certificate", AlbCertificateProps(
                naming=self.naming_for("07-application/alb"), domain_name=app.alb.domain_name,
                hosted_zone_id=app.alb.hosted_zone_id)).arn
        self.alb = Alb(self, "alb", AlbProps(
            naming=self.naming_for("07-application/alb"), origin=Origin("module.alb", alb_names),
            vpc_id=self.net.string("vpc_id"), public_subnet_ids=self.net.values("public_subnet_ids"),
            ingress_cidrs_ipv4=[str(c) for c in app.alb.ingress_cidrs_ipv4], ingress_ipv6_any=app.alb.ingress_ipv6_any,
            default_target_port=app.alb.default_target_port,
            default_health_check_path=app.alb.default_health_check_path,
            alarm_actions=self.alarm_actions, target_health_alarm=waf.monitoring,
            certificate_arn=certificate_arn, ssl_policy=app.alb.ssl_policy,
            egress_security_group_id=self.sec.string("ecs_security_group_id") if app.design_security_rules else None,
            egress_ports=sorted({s.port for s in app.services.values()} | {app.alb.default_target_port})))
        origin_host = application.alb_https_origin(env)
        if origin_host:   # a design switch (api_gateway.https_to_alb): the name API Gateway calls over HTTPS
            AlbAlias(self, "alb_alias", AlbAliasProps(
                hosted_zone_id=str(app.alb.hosted_zone_id), name=origin_host,
                alb_dns_name=self.alb.dns_name, alb_zone_id=self.alb.zone_id))
        if waf.enabled:
            AlbWebAcl(self, "waf", WebAclProps(
                naming=self.naming_for("07-application/alb"),
                origin=Origin("module.alb", {**WAF_NAMES, **(WAF_ALARM_NAMES if waf.monitoring else {})}),
                region=env.region, load_balancer_arn=self.alb.arn,
                rate_limit_per_ip=waf.rate_limit_per_ip, burst_limit_per_ip=waf.burst_limit_per_ip,
                blocked_countries=waf.blocked_countries, security_rules=waf.security_rules,
                max_body_bytes=waf.max_body_bytes, monitoring=waf.monitoring, alarm_threshold=waf.alarm_threshold,
                alarm_actions=self.alarm_actions))

    def _services(self) -> None:
        """One MicroService per entry of `[application.services]`."""
        env, app = self.env, self.env.application
        thresholds = AlarmThresholds(
            monitoring=app.alarms.enabled, cpu_percent=app.alarms.cpu_percent,
            memory_percent=app.alarms.memory_percent, response_time_seconds=app.alarms.response_time_seconds,
            errors_5xx=app.alarms.errors_5xx, actions=self.alarm_actions)
        service_origin = Origin(names={**SERVICE_NAMES, **(MONITORING_NAMES if app.alarms.enabled else {})})
        execution_role = self.sec.string("ecs_task_execution_role_arn")
        self.services: dict[str, MicroService] = {}
        for key, svc in sorted(app.services.items()):
            environment = {"SPRING_PROFILES_ACTIVE": svc.spring_profiles, "AWS_REGION": env.region, **svc.environment}
            if svc.alb_dns_variable:
                environment[svc.alb_dns_variable] = self.alb.dns_name
            carried = key in app.carried_services
            new = Origin.new(f"the service {key} was added after the port; the deployed state has none")
            self.services[key] = MicroService(self, key, EcsServiceProps(
                naming=self.naming.with_tags(Service=key), origin=service_origin if carried else new,
                repository_origin=replace(Origin().module("ecr_services", key), names=ECR_NAMES) if carried else new,
                key=key,
                container=ServiceContainer(
                    region=env.region, port=svc.port, execution_role_arn=execution_role,
                    task_role_arn=self._task_role(key), log_retention_days=app.log_retention_days,
                    image_tag=app.image_tag, image=app.images.get(key), environment=environment,
                    secrets=self._database_secrets(key) if svc.database else (), keep_images=app.ecr_keep_images,
                    startup_self_test=app.startup_self_test,
                    xray_daemon_image=app.xray_daemon_image if app.xray_daemon else None),
                sizing=ServiceSizing(cpu=svc.cpu, memory=svc.memory, desired_count=svc.desired_count,
                                     min_tasks=svc.min_tasks, max_tasks=svc.max_tasks, cpu_target=svc.cpu_target),
                placement=ServicePlacement(
                    cluster=self.cluster, vpc_id=self.net.string("vpc_id"),
                    subnet_ids=self.net.values("private_app_subnet_ids"),
                    security_group_ids=[self.sec.string("ecs_security_group_id")],
                    registry_arn=f"${{{self.registry.expression('service_arns')}[\"{key}\"]}}",
                    capacity_providers=self.capacity),
                routing=ServiceRouting(alb=self.alb, paths=svc.paths, priority=svc.priority,
                                       health_check_path=svc.health_check_path,
                                       health_check_grace_period_seconds=app.health_check_grace_period_seconds),
                alarms=thresholds))

    def _task_rules(self) -> dict[str, TaskRuleSpec]:
        """The task rules of the rule set `application.design_security_rules` picks, less the
        duplicates of other layers' rules when `application.duplicate_task_rules` is off."""
        app = self.env.application
        kept = "to-be" if app.design_security_rules else "as-deployed"
        return {name: TaskRuleSpec(r.group, r.direction, r.port, r.peer, r.description,
                                   new_reason="a rule of the design (§3.4) the original did not have"
                                   if r.scope == "to-be" else "")
                for name, r in app.task_rules.items()
                if r.scope in ("both", kept) and (app.duplicate_task_rules or r.duplicate_of is None)}

    def _debug_host(self) -> DebugHost:
        env, debug = self.env, self.env.application.debug
        return DebugHost(self, "debug", DebugHostProps(
            naming=self.naming, origin=Origin("module.debug_infrastructure", DEBUG_NAMES),
            region=env.region, vpc_id=self.net.string("vpc_id"),
            subnet_id=f"${{values({self.net.expression('public_subnet_ids')})[0]}}",
            aurora_security_group_id=self.sec.string("aurora_security_group_id"),
            database_port=env.security.database_port,
            rds_secret_access_policy_arn=self.sec.string("rds_secret_access_policy_arn"),
            parameter_store_access_policy_arn=self.sec.string("parameter_store_access_policy_arn"),
            instance_type=debug.instance_type, key_pair=debug.key_pair,
            ssh_cidrs=[str(c) for c in debug.ssh_cidrs], ami_name_pattern=debug.ami_name_pattern,
            db_url_parameter=parameter_store.database_parameter(env, "url"),
            db_username_parameter=parameter_store.database_parameter(env, "username"),
            db_secret_parameter=parameter_store.database_parameter(env, "secrets-manager-name"),
            earlier=DEBUG_EARLIER))

    def state_removals(self) -> Sequence[StateRemoval]:
        return self._duplicate_removals() + self._db_debug_removals()

    def _duplicate_removals(self) -> tuple[StateRemoval, ...]:
        # Only a deployed state holds the duplicates; destroying one would delete the permission
        # the other layer's rule stands for, so the state forgets it instead.
        app = self.env.application
        if app.duplicate_task_rules or not app.state_holds_task_rules:
            return ()
        # Both ages of the address: the original's (a state the port never applied to) and the
        # port's (after its moved block ran); a removed block whose address the state lacks does nothing.
        return tuple(StateRemoval(address, f"the same rule as {rule.duplicate_of}, which keeps it; forgotten, "
                                           "not destroyed")
                     for name, rule in sorted(app.task_rules.items()) if rule.duplicate_of is not None
                     for address in (f"aws_security_group_rule.{name}", f"aws_security_group_rule.task_rules_{name}"))

    def _db_debug_removals(self) -> tuple[StateRemoval, ...]:
        if not self.env.application.debug.enabled:
            return ()
        return tuple(StateRemoval(address, "an object of the earlier private db_debug host, folded into the "
                                           "bastion by the original without moved blocks; no resource here has its "
                                           "identity, so it is forgotten, not destroyed (delete it by hand)")
                     for address in DB_DEBUG_LEFTOVERS)

    def output_values(self) -> Mapping[str, Any]:
        lb, services = self.alb.load_balancer, self.services
        dns = lb.dns_name
        return {
            "alb_dns_name": dns,
            "alb_zone_id": lb.zone_id,
            "alb_arn": lb.arn,
            "alb_arn_suffix": lb.arn_suffix,
            "target_group_arn": self.alb.default_target_group_arn,
            "target_group_arns": {k: {"arn": s.target_group_arn, "arn_suffix": s.target_group_arn_suffix}
                                  for k, s in services.items()},
            "ecr_repositories": {k: {"repository_url": s.repository.url,
                                     "repository_arn": s.repository.arn,
                                     "repository_name": s.repository.name} for k, s in services.items()},
            "ecs_cluster_name": self.cluster.name,
            "ecs_cluster_arn": self.cluster.arn,
            "ecs_services": {k: {"service_name": s.service_name, "service_id": s.service_id,
                                 "task_definition_arn": s.task_definition_arn,
                                 "desired_count": s.desired_count} for k, s in services.items()},
            "application_url": f"http://{dns}",
            "health_check_url": f"http://{dns}/actuator/health",
            "deployment_info": {
                "ecr_repositories": {k: s.repository.url for k, s in services.items()},
                "cluster_name": self.cluster.name,
                "services": {k: s.service_name for k, s in services.items()},
                "alb_dns_name": dns,
            },
            "debug_infrastructure": {
                "enabled": self.debug_host is not None,
                # null, not absent: readers index the key (cdktf would drop a Python None from the map).
                "bastion_public_ip": self.debug_host.public_ip if self.debug_host else Token.null_value(),
            },
            "alb_security_group_id": "",
        }
