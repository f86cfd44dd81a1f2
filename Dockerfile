# The portal's image: web, the workers of each queue, beat and the migrate step all run from it with different
# commands (docker-compose.yml, deploy/k8s). The default command is the web server.
FROM python:3.11-slim-bookworm

ARG TERRAFORM_VERSION=1.11.4
# The AWS provider the modules pin (~> 5.100), unpacked where TERRAFORM_PROVIDER_MIRROR points: `init` links
# it into each workspace instead of downloading ~700 MB per workspace at run time.
ARG AWS_PROVIDER_VERSION=5.100.0
# tini as PID 1: forwards TERM to the process (Celery's warm shutdown, gunicorn's graceful stop) and reaps
# the provider processes a killed pool child leaves behind.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git curl unzip ca-certificates libpq5 tini \
 && curl -fsSLo /tmp/tf.zip "https://releases.hashicorp.com/terraform/${TERRAFORM_VERSION}/terraform_${TERRAFORM_VERSION}_linux_amd64.zip" \
 && unzip /tmp/tf.zip -d /usr/local/bin && rm /tmp/tf.zip \
 && mirror="/opt/tf-plugins/registry.terraform.io/hashicorp/aws/${AWS_PROVIDER_VERSION}/linux_amd64" \
 && curl -fsSLo /tmp/aws.zip "https://releases.hashicorp.com/terraform-provider-aws/${AWS_PROVIDER_VERSION}/terraform-provider-aws_${AWS_PROVIDER_VERSION}_linux_amd64.zip" \
 && mkdir -p "$mirror" && unzip /tmp/aws.zip -d "$mirror" && rm /tmp/aws.zip \
 && apt-get purge -y curl unzip && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 portal
WORKDIR /app
COPY pyproject.toml ./
COPY portal ./portal
COPY provisioning ./provisioning
# The ldap-login extra (directory login) compiles python-ldap: build tools only for that step.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev libldap2-dev libsasl2-dev \
 && pip install --no-cache-dir -e ".[ldap-login]" \
 && apt-get purge -y --auto-remove gcc libc6-dev libldap2-dev libsasl2-dev \
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN DJANGO_SETTINGS_MODULE=portal.settings.base python manage.py collectstatic --noinput
# The data dir belongs to the portal's user and is private; a named volume mounted here starts out so.
RUN mkdir -p /data && chown portal:portal /data && chmod 700 /data
USER portal
ENV PORTAL_DATA_DIR=/data DJANGO_SETTINGS_MODULE=portal.settings.production \
    TERRAFORM_PROVIDER_MIRROR=/opt/tf-plugins PORTAL_ADDR=0.0.0.0:8000 PYTHONDONTWRITEBYTECODE=1
EXPOSE 8000
ENTRYPOINT ["/usr/bin/tini", "--"]
# No HEALTHCHECK here: the same image runs workers and beat, which serve no HTTP. docker-compose.yml checks
# the web service with /readyz?scope=web; Kubernetes probes /healthz and /readyz?scope=web (deploy/k8s).
CMD ["gunicorn", "portal.wsgi", "-c", "portal/gunicorn_conf.py"]
