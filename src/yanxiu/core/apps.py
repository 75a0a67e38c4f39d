from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yanxiu.core"
    label = "core"

    def ready(self):
        from django.db.backends.signals import connection_created

        from .disk import restrict_sqlite_file

        connection_created.connect(restrict_sqlite_file, dispatch_uid="yanxiu.core.disk.restrict_sqlite_file")
