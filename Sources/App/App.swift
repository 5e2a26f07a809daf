import Activations
import Codecs
import HTTPServer
