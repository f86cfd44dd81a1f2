# The portal's image: web, worker and beat run from it with different commands (docker-compose.yml).
FROM python:3.11-slim-bookworm

ARG TERRAFORM_VERSION=1.11.4
RUN apt-get update \
 && apt-get install -y --no-install-recommends git curl unzip ca-certificates libpq5 \
 && curl -fsSLo /tmp/tf.zip "https://releases.hashicorp.com/terraform/${TERRAFORM_VERSION}/terraform_${TERRAFORM_VERSION}_linux_amd64.zip" \
 && unzip /tmp/tf.zip -d /usr/local/bin && rm /tmp/tf.zip \
 && apt-get purge -y curl unzip && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 portal
WORKDIR /app
COPY pyproject.toml ./
COPY portal ./portal
COPY provisioning ./provisioning
# The ldap-login extra (directory login) compiles python-ldap: build tools only for that step.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev libldap2-dev libsasl2-dev \
 && pip install --no-cache-dir -e ".[ldap-login]" gunicorn \
 && apt-get purge -y --auto-remove gcc libc6-dev libldap2-dev libsasl2-dev \
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN DJANGO_SETTINGS_MODULE=portal.settings.base python manage.py collectstatic --noinput
USER portal
ENV PORTAL_DATA_DIR=/data DJANGO_SETTINGS_MODULE=portal.settings.production
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
