from . import portal, portal_reseller
